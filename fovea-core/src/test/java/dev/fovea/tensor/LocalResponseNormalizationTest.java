package dev.fovea.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** local_response_norm against PyTorch's formula written out naively, its window and alpha conventions, and gradients. */
class LocalResponseNormalizationTest {

    /**
     * torch.nn.LocalResponseNorm's documentation: b_c = a_c (k + alpha/n sum_{c'=max(0, c-n/2)}^{min(N-1, c+n/2)} a_c'^2)^-beta,
     * with the window PyTorch's implementation uses (n/2 channels before, (n-1)/2 after; zero padding).
     */
    static double[] naive(double[] a, int n, int c, int inner, int size, double alpha, double beta, double k) {
        double[] b = new double[a.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < inner; p++) {
                    double sum = 0;
                    for (int cc = ch - size / 2; cc <= ch + (size - 1) / 2; cc++) {
                        if (cc < 0 || cc >= c) continue; // the zero padding
                        double v = a[(i * c + cc) * inner + p];
                        sum += v * v;
                    }
                    int at = (i * c + ch) * inner + p;
                    b[at] = a[at] / Math.pow(k + alpha / size * sum, beta);
                }
            }
        }
        return b;
    }

    @ParameterizedTest(name = "size {0}, alpha {1}, beta {2}, k {3}, C {4}")
    @CsvSource({
            "5, 1e-4, 0.75, 2, 7",     // AlexNet's parameters
            "5, 1e-4, 0.75, 1, 3",     // PyTorch's defaults, fewer channels than the window
            "4, 0.5, 0.75, 1, 6",      // even size: 2 channels before, 1 after
            "3, 2.0, 0.5, 1.5, 5",     // large alpha so the normalisation matters
            "1, 1.0, 1.0, 1, 4",       // a window of one channel
            "2, 0.3, 1.5, 0.5, 5"})
    void valuesMatchTheFormula(int size, double alpha, double beta, double k, int c) {
        Tensor x = GradCheck.param(size * 100L + c, 2, c, 3, 2).detach();
        double[] expected = naive(x.toDoubleArray(), 2, c, 6, size, alpha, beta, k);
        assertArrayEquals(expected, LocalResponseNormalization.localResponseNorm(x, size, alpha, beta, k).toDoubleArray(), 1e-13);
        Tensor y32 = LocalResponseNormalization.localResponseNorm(x.to(DType.FLOAT32), size, alpha, beta, k);
        assertEquals(DType.FLOAT32, y32.dtype());
        assertArrayEquals(expected, y32.toDoubleArray(), 1e-5);
    }

    @ParameterizedTest(name = "size {0}, alpha {1}, beta {2}, k {3}, C {4}")
    @CsvSource({
            "5, 1e-4, 0.75, 2, 7",
            "5, 0.5, 0.75, 1, 3",
            "4, 0.5, 0.75, 1, 6",
            "3, 2.0, 0.5, 1.5, 5",
            "1, 1.0, 1.0, 1, 4",
            "2, 0.3, 1.5, 0.5, 5"})
    void gradients(int size, double alpha, double beta, double k, int c) {
        Tensor x = GradCheck.param(size * 1000L + c, 2, c, 2, 3);
        GradCheck.check("lrn", in -> LocalResponseNormalization.localResponseNorm(in.get(0), size, alpha, beta, k), x);
    }

    @Test
    void windowIsCentredWithTheExtraChannelBefore() {
        // One image, 4 channels, one pixel; a_c = c + 1. With size 2 the window of c is {c-1, c}.
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 1, 4, 1);
        double[] y = LocalResponseNormalization.localResponseNorm(x, 2, 2.0, 1.0, 1).toDoubleArray();
        // s_c = 1 + 2/2 * (a_{c-1}^2 + a_c^2)
        double[] expected = {1 / (1 + 1.0), 2 / (1 + 1 + 4.0), 3 / (1 + 4 + 9.0), 4 / (1 + 9 + 16.0)};
        assertArrayEquals(expected, y, 1e-15);
    }

    @Test
    void alphaIsDividedBySizeAsInPyTorch() {
        // With a constant input every full window sums size * a^2; PyTorch's alpha/size makes that alpha * a^2.
        int c = 9, size = 5;
        double a = 3, alpha = 0.1, beta = 0.75, k = 2;
        double[] ones = new double[c];
        java.util.Arrays.fill(ones, a);
        double[] y = LocalResponseNormalization.localResponseNorm(Tensor.of(ones, 1, c, 1, 1), size, alpha, beta, k).toDoubleArray();
        assertEquals(a / Math.pow(k + alpha * a * a, beta), y[4], 1e-15, "centre channel, full window");
        // The AlexNet paper's formula (no division) is reached by passing alpha * size.
        double[] paper = LocalResponseNormalization.localResponseNorm(Tensor.of(ones, 1, c, 1, 1), size, alpha * size, beta, k).toDoubleArray();
        assertEquals(a / Math.pow(k + alpha * size * a * a, beta), paper[4], 1e-15);
        // At the edge only 3 of the 5 window channels exist (c = 0: channels 0, 1, 2).
        assertEquals(a / Math.pow(k + alpha / size * 3 * a * a, beta), y[0], 1e-15, "edge channel");
    }

    @Test
    void worksOnAnyRankFromThree() {
        Tensor x3 = GradCheck.param(5, 2, 5, 4);
        GradCheck.check("lrn N x C x L", in -> LocalResponseNormalization.localResponseNorm(in.get(0), 3, 0.5, 0.75, 1), x3);
        Tensor x5 = GradCheck.param(6, 1, 4, 2, 2, 2).detach();
        assertArrayEquals(naive(x5.toDoubleArray(), 1, 4, 8, 3, 0.5, 0.75, 1),
                LocalResponseNormalization.localResponseNorm(x5, 3, 0.5, 0.75, 1).toDoubleArray(), 1e-13);
        assertThrows(IllegalArgumentException.class, () -> LocalResponseNormalization.localResponseNorm(Tensor.zeros(2, 5), 3, 1e-4, 0.75, 1));
        assertThrows(IllegalArgumentException.class, () -> LocalResponseNormalization.localResponseNorm(Tensor.zeros(1, 2, 3, 3), 0, 1e-4, 0.75, 1));
    }

    @Test
    void gradientsThroughAStridedView() {
        // A permuted (non-contiguous) input is read through contiguous().
        GradCheck.check("lrn of a permuted input", in -> LocalResponseNormalization.localResponseNorm(in.get(0).permute(0, 3, 1, 2), 3, 1.0, 0.75, 1),
                GradCheck.param(7, 2, 3, 2, 5));
    }
}
