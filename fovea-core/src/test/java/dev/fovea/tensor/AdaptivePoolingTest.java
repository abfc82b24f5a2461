package dev.fovea.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Adaptive average and max pooling: PyTorch's bin boundaries, values against a naive reference, and gradients. */
class AdaptivePoolingTest {

    /** PyTorch's bins: [floor(i*in/out), ceil((i+1)*in/out)), computed in floating point as a check on the integer form. */
    static int start(int i, int in, int out) {
        return (int) Math.floor((double) i * in / out);
    }

    static int end(int i, int in, int out) {
        return (int) Math.ceil((double) (i + 1) * in / out);
    }

    static double[] naive(double[] x, int planes, int h, int w, int oh, int ow, boolean max) {
        double[] y = new double[planes * oh * ow];
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int count = 0;
                    for (int r = start(i, h, oh); r < end(i, h, oh); r++) {
                        for (int q = start(j, w, ow); q < end(j, w, ow); q++) {
                            double v = x[(pl * h + r) * w + q];
                            acc = max ? Math.max(acc, v) : acc + v;
                            count++;
                        }
                    }
                    y[(pl * oh + i) * ow + j] = max ? acc : acc / count;
                }
            }
        }
        return y;
    }

    @Test
    void sevenToThreeBinsOverlap() {
        // Rows [0,3), [2,5), [4,7): floor(0)=0..ceil(7/3)=3, floor(7/3)=2..ceil(14/3)=5, floor(14/3)=4..7.
        int[][] expected = {{0, 3}, {2, 5}, {4, 7}};
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i][0], AdaptivePooling.binStart(i, 7, 3));
            assertEquals(expected[i][1], AdaptivePooling.binEnd(i, 7, 3));
        }
        double[] x = new double[49];
        for (int i = 0; i < 49; i++) x[i] = i; // x[r][c] = 7r + c
        Tensor y = AdaptivePooling.adaptiveAvgPool2d(Tensor.of(x, 1, 1, 7, 7), 3, 3);
        // Mean of 7r + c over a 3x3 bin = 7 * (mean row) + mean column.
        double[] rowMean = {1, 3, 5};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) assertEquals(7 * rowMean[i] + rowMean[j], y.get(0, 0, i, j), 1e-12, i + "," + j);
        }
        Tensor m = AdaptivePooling.adaptiveMaxPool2d(Tensor.of(x, 1, 1, 7, 7), 3, 3);
        assertArrayEquals(new double[] {16, 18, 20, 30, 32, 34, 44, 46, 48}, m.toDoubleArray(), 0);
    }

    @Test
    void oneByOneIsTheGlobalMeanAndMax() {
        Tensor x = GradCheck.param(1, 2, 3, 6, 6).detach();
        assertArrayEquals(Pooling.globalAvgPool2d(x).toDoubleArray(), AdaptivePooling.adaptiveAvgPool2d(x, 1, 1).toDoubleArray(), 1e-14);
        assertArrayEquals(x.reshape(2, 3, 36).max(2, false).toDoubleArray(), AdaptivePooling.adaptiveMaxPool2d(x, 1, 1).toDoubleArray(), 0);
    }

    @Test
    void evenDivisionIsOrdinaryPooling() {
        Tensor x = GradCheck.param(2, 2, 2, 8, 6).detach();
        int[] k = {2, 3}, none = {0, 0};
        assertArrayEquals(Pooling.avgPool2d(x, k, k, none, false, true).toDoubleArray(), AdaptivePooling.adaptiveAvgPool2d(x, 4, 2).toDoubleArray(), 1e-14);
        assertArrayEquals(Pooling.maxPool2d(x, k, k, none, false).toDoubleArray(), AdaptivePooling.adaptiveMaxPool2d(x, 4, 2).toDoubleArray(), 0);
    }

    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}")
    @CsvSource({"7, 7, 3, 3", "6, 6, 1, 1", "13, 13, 6, 6", "5, 9, 2, 4", "3, 2, 5, 4", "1, 1, 2, 3", "10, 7, 10, 7", "11, 5, 7, 3"})
    void valuesMatchTheNaiveReference(int h, int w, int oh, int ow) {
        Tensor x = GradCheck.param(h * 100L + w * 10L + oh, 2, 3, h, w).detach();
        double[] xs = x.toDoubleArray();
        Tensor avg = AdaptivePooling.adaptiveAvgPool2d(x, oh, ow), max = AdaptivePooling.adaptiveMaxPool2d(x, oh, ow);
        assertArrayEquals(new int[] {2, 3, oh, ow}, avg.shape());
        assertArrayEquals(naive(xs, 6, h, w, oh, ow, false), avg.toDoubleArray(), 1e-13);
        assertArrayEquals(naive(xs, 6, h, w, oh, ow, true), max.toDoubleArray(), 0);
        assertArrayEquals(naive(xs, 6, h, w, oh, ow, false), AdaptivePooling.adaptiveAvgPool2d(x.to(DType.FLOAT32), oh, ow).toDoubleArray(), 1e-5);
        for (int i = 0; i < oh; i++) {
            assertEquals(start(i, h, oh), AdaptivePooling.binStart(i, h, oh));
            assertEquals(end(i, h, oh), AdaptivePooling.binEnd(i, h, oh));
        }
    }

    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}")
    @CsvSource({"7, 7, 3, 3", "6, 6, 1, 1", "5, 9, 2, 4", "3, 2, 5, 4", "6, 5, 4, 3"})
    void gradients(int h, int w, int oh, int ow) {
        long seed = h * 100L + w * 10L + oh;
        GradCheck.check("adaptive avg", in -> AdaptivePooling.adaptiveAvgPool2d(in.get(0), oh, ow), GradCheck.param(seed, 2, 2, h, w));
        GradCheck.check("adaptive max", in -> AdaptivePooling.adaptiveMaxPool2d(in.get(0), oh, ow), GradCheck.distinctParam(seed + 1, 2, 2, h, w));
    }

    @Test
    void maxTiesGoToTheFirstAndNaNWins() {
        Tensor x = Tensor.of(new double[] {1, 4, 4, 2}, 1, 1, 2, 2).requiresGrad(true);
        AdaptivePooling.adaptiveMaxPool2d(x, 1, 1).sum().backward();
        assertArrayEquals(new double[] {0, 1, 0, 0}, x.grad().toDoubleArray(), 0);
        Tensor nan = Tensor.of(new double[] {Double.NaN, 4, 5, 2}, 1, 1, 2, 2);
        assertTrue(Double.isNaN(AdaptivePooling.adaptiveMaxPool2d(nan, 1, 1).item()));
        assertTrue(Double.isNaN(AdaptivePooling.adaptiveAvgPool2d(nan, 1, 1).item()));
    }

    @Test
    void errors() {
        assertThrows(IllegalArgumentException.class, () -> AdaptivePooling.adaptiveAvgPool2d(Tensor.zeros(3, 4, 4), 2, 2));
        assertThrows(IllegalArgumentException.class, () -> AdaptivePooling.adaptiveMaxPool2d(Tensor.zeros(1, 3, 4, 4), 0, 2));
    }
}
