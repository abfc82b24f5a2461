package dev.fovea.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Max, average and global average pooling: gradients, values against a naive reference, and PyTorch's definitions. */
class PoolingTest {

    record Pool(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, boolean ceil) {
        int[] k() { return new int[] {kh, kw}; }
        int[] s() { return new int[] {sh, sw}; }
        int[] p() { return new int[] {ph, pw}; }

        Tensor max(Tensor x) {
            return Pooling.maxPool2d(x, k(), s(), p(), ceil);
        }

        Tensor avg(Tensor x, boolean countIncludePad) {
            return Pooling.avgPool2d(x, k(), s(), p(), ceil, countIncludePad);
        }

        @Override
        public String toString() {
            return String.format("N%d C%d %dx%d k%dx%d s(%d,%d) p(%d,%d)%s", n, c, h, w, kh, kw, sh, sw, ph, pw, ceil ? " ceil" : "");
        }
    }

    static List<Pool> gradGrid() {
        return List.of(
                new Pool(2, 2, 6, 6, 2, 2, 2, 2, 0, 0, false),   // the classic 2x2/2
                new Pool(2, 2, 7, 7, 3, 3, 2, 2, 0, 0, false),   // overlapping 3x3/2
                new Pool(2, 2, 7, 5, 3, 3, 2, 2, 1, 1, false),   // overlapping, padding 1
                new Pool(2, 2, 6, 6, 3, 3, 2, 2, 1, 1, true),    // padding 1, ceil mode: the last window half outside
                new Pool(2, 1, 5, 5, 2, 2, 2, 2, 0, 0, true),    // ceil mode, no padding
                new Pool(1, 3, 7, 6, 3, 2, 2, 1, 1, 0, true),    // rectangular everything
                new Pool(2, 2, 5, 4, 3, 3, 1, 1, 1, 1, false));  // stride 1, padding 1
    }

    @ParameterizedTest(name = "max {0}")
    @MethodSource("gradGrid")
    void maxPoolGradient(Pool p) {
        // Distinct values 0.05+ apart: no ties, and a finite-difference step cannot change an arg-max.
        GradCheck.check("max " + p, in -> p.max(in.get(0)), GradCheck.distinctParam(p.toString().hashCode(), p.n, p.c, p.h, p.w));
    }

    @ParameterizedTest(name = "avg {0}")
    @MethodSource("gradGrid")
    void avgPoolGradient(Pool p) {
        Tensor x = GradCheck.param(p.toString().hashCode(), p.n, p.c, p.h, p.w);
        GradCheck.check("avg include pad " + p, in -> p.avg(in.get(0), true), x);
        GradCheck.check("avg exclude pad " + p, in -> p.avg(in.get(0), false), x);
    }

    @Test
    void globalAvgPoolGradientAndValues() {
        Tensor x = GradCheck.param(111, 2, 3, 4, 5);
        GradCheck.check("global avg", in -> Pooling.globalAvgPool2d(in.get(0)), x);
        Tensor y = Pooling.globalAvgPool2d(x.detach());
        assertArrayEquals(new int[] {2, 3, 1, 1}, y.shape());
        for (int i = 0; i < 2; i++) {
            for (int c = 0; c < 3; c++) {
                double s = 0;
                for (int h = 0; h < 4; h++) for (int w = 0; w < 5; w++) s += x.get(i, c, h, w);
                assertEquals(s / 20, y.get(i, c, 0, 0), 1e-14);
            }
        }
    }

    /** Random valid pooling geometries. */
    static List<Pool> randomPools() {
        Rng rng = new Rng(77);
        List<Pool> out = new ArrayList<>();
        while (out.size() < 40) {
            int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4);
            int ph = rng.nextInt(kh / 2 + 1), pw = rng.nextInt(kw / 2 + 1);
            int h = 1 + rng.nextInt(10), w = 1 + rng.nextInt(10);
            int sh = 1 + rng.nextInt(3), sw = 1 + rng.nextInt(3);
            boolean ceil = rng.nextInt(2) == 0;
            if (Naive.poolOut(h, kh, sh, ph, ceil) < 1 || Naive.poolOut(w, kw, sw, pw, ceil) < 1) continue;
            out.add(new Pool(1 + rng.nextInt(2), 1 + rng.nextInt(3), h, w, kh, kw, sh, sw, ph, pw, ceil));
        }
        out.addAll(gradGrid());
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("randomPools")
    void forwardMatchesNaiveReference(Pool p) {
        // Small integers, so that ties are frequent and the first-maximum rule is exercised.
        Rng rng = new Rng(p.toString().hashCode());
        double[] data = new double[p.n * p.c * p.h * p.w];
        for (int i = 0; i < data.length; i++) data[i] = rng.nextInt(5) - 2;
        Tensor x = Tensor.of(data, p.n, p.c, p.h, p.w);
        int oh = Naive.poolOut(p.h, p.kh, p.sh, p.ph, p.ceil), ow = Naive.poolOut(p.w, p.kw, p.sw, p.pw, p.ceil);
        Tensor max = p.max(x);
        assertArrayEquals(new int[] {p.n, p.c, oh, ow}, max.shape());
        assertArrayEquals(Naive.maxPool2d(data, p.n, p.c, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, p.ceil), max.toDoubleArray(), 0.0);
        for (boolean include : new boolean[] {true, false}) {
            Tensor avg = p.avg(x, include);
            assertArrayEquals(new int[] {p.n, p.c, oh, ow}, avg.shape());
            assertArrayEquals(Naive.avgPool2d(data, p.n, p.c, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, p.ceil, include),
                    avg.toDoubleArray(), 1e-14, "countIncludePad=" + include);
        }
        // float32 gives the same values.
        assertArrayEquals(max.toDoubleArray(), p.max(x.to(DType.FLOAT32)).toDoubleArray(), 0.0);
        assertArrayEquals(p.avg(x, true).toDoubleArray(), p.avg(x.to(DType.FLOAT32), true).toDoubleArray(), 1e-6);
    }

    @Test
    void maxPoolGradientLandsOnTheArgMaxOfTheNaiveReference() {
        // With ties everywhere, backward must send each output's gradient to the first maximum in row-major order.
        Pool p = new Pool(1, 2, 7, 6, 3, 3, 2, 2, 1, 1, true);
        Rng rng = new Rng(5);
        double[] data = new double[p.c * p.h * p.w];
        for (int i = 0; i < data.length; i++) data[i] = rng.nextInt(3);
        Tensor x = Tensor.of(data, 1, p.c, p.h, p.w).requiresGrad(true);
        Tensor y = p.max(x);
        int oh = y.size(2), ow = y.size(3);
        double[] gy = new double[y.numel()];
        for (int i = 0; i < gy.length; i++) gy[i] = i + 1;
        y.backward(Tensor.of(gy, y.shape()));
        double[] expected = new double[data.length];
        for (int c = 0; c < p.c; c++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int best = -1;
                    for (int u = 0; u < p.kh; u++) {
                        for (int v = 0; v < p.kw; v++) {
                            int yy = i * p.sh - p.ph + u, xx = j * p.sw - p.pw + v;
                            if (yy < 0 || yy >= p.h || xx < 0 || xx >= p.w) continue;
                            int at = (c * p.h + yy) * p.w + xx;
                            if (best < 0 || data[at] > data[best]) best = at;
                        }
                    }
                    expected[best] += gy[(c * oh + i) * ow + j];
                }
            }
        }
        assertArrayEquals(expected, x.grad().toDoubleArray(), 0.0);
    }

    // ---------------------------------------------------------------- PyTorch's definitions, by example

    @Test
    void maxPoolTiePicksTheFirstElementInRowMajorWindowOrder() {
        // One 2x2 window holding 5 at (0,1) and at (1,0): (0,1) comes first.
        Tensor x = Tensor.of(new double[] {1, 5, 5, 0}, 1, 1, 2, 2).requiresGrad(true);
        Tensor y = Pooling.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, false);
        assertEquals(5, y.item());
        y.sum().backward();
        assertArrayEquals(new double[] {0, 1, 0, 0}, x.grad().toDoubleArray());
        // All equal: the top-left one.
        Tensor z = Tensor.of(new double[] {3, 3, 3, 3}, 1, 1, 2, 2).requiresGrad(true);
        Pooling.maxPool2d(z, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, false).sum().backward();
        assertArrayEquals(new double[] {1, 0, 0, 0}, z.grad().toDoubleArray());
    }

    @Test
    void maxPoolPaddingNeverWinsEvenOverNegativeValues() {
        Tensor x = Tensor.of(new double[] {-5, -4, -3, -2}, 1, 1, 2, 2);
        Tensor y = Pooling.maxPool2d(x, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, false);
        assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
        assertArrayEquals(new double[] {-5, -4, -4, -3, -2, -2, -3, -2, -2}, y.toDoubleArray());
    }

    @Test
    void nanInMaxPoolingPropagates() {
        Tensor x = Tensor.of(new double[] {
                1, 2, 3, 4,
                5, Double.NaN, 7, 8,
                9, 10, 11, 12,
                13, 14, 15, 100}, 1, 1, 4, 4);
        double[] y = Pooling.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, false).toDoubleArray();
        assertTrue(Double.isNaN(y[0]), "the window holding the NaN gives NaN");
        assertArrayEquals(new double[] {8, 14, 100}, new double[] {y[1], y[2], y[3]});
        // NaN first in the window, and NaN after the maximum, both win.
        Tensor first = Tensor.of(new double[] {Double.NaN, 1, 2, 3}, 1, 1, 2, 2);
        Tensor last = Tensor.of(new double[] {3, 1, 2, Double.NaN}, 1, 1, 2, 2);
        assertTrue(Double.isNaN(Pooling.maxPool2d(first, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, false).item()));
        assertTrue(Double.isNaN(Pooling.maxPool2d(last, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, false).item()));
    }

    @Test
    void avgPoolCeilModeFiveByFiveKernelTwoStrideTwo() {
        // x[i][j] = 5i + j + 1. Ceil mode gives 3x3; the last row and column of windows hang off the input and,
        // with no padding, divide by the elements actually inside: 2 on the edges, 1 in the corner.
        double[] data = new double[25];
        for (int i = 0; i < 25; i++) data[i] = i + 1;
        Tensor x = Tensor.of(data, 1, 1, 5, 5);
        for (boolean include : new boolean[] {true, false}) {
            Tensor y = Pooling.avgPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, true, include);
            assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
            assertArrayEquals(new double[] {
                    (1 + 2 + 6 + 7) / 4.0, (3 + 4 + 8 + 9) / 4.0, (5 + 10) / 2.0,
                    (11 + 12 + 16 + 17) / 4.0, (13 + 14 + 18 + 19) / 4.0, (15 + 20) / 2.0,
                    (21 + 22) / 2.0, (23 + 24) / 2.0, 25 / 1.0}, y.toDoubleArray(), 1e-14, "countIncludePad=" + include);
        }
        Tensor floor = Pooling.avgPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, false, true);
        assertArrayEquals(new int[] {1, 1, 2, 2}, floor.shape());
    }

    @Test
    void avgPoolDivisorWithPaddingAndCeilMode() {
        // Ones, 6x6, kernel 3, stride 2, padding 1, ceil mode: 4x4 windows starting at rows -1, 1, 3, 5.
        // Real rows per window: 2, 3, 3, 1. Rows inside the padded input (-1..6): 3, 3, 3, 2 (the last window
        // covers rows 5, 6 and 7; row 7 is beyond the padding and never counted).
        Tensor x = Tensor.ones(1, 1, 6, 6).to(DType.FLOAT64);
        int[] real = {2, 3, 3, 1}, padded = {3, 3, 3, 2};
        Tensor include = Pooling.avgPool2d(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, true, true);
        Tensor exclude = Pooling.avgPool2d(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, true, false);
        assertArrayEquals(new int[] {1, 1, 4, 4}, include.shape());
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals((double) (real[i] * real[j]) / (padded[i] * padded[j]), include.get(0, 0, i, j), 1e-15, "include " + i + "," + j);
                assertEquals(1.0, exclude.get(0, 0, i, j), 1e-15, "exclude " + i + "," + j);
            }
        }
        assertEquals(4.0 / 9, include.get(0, 0, 0, 0), 1e-15);
        assertEquals(1.0 / 4, include.get(0, 0, 3, 3), 1e-15);
    }

    @Test
    void avgPoolPaddingCountsAsZerosWhenIncluded() {
        // 3x3 of ones, kernel 3, stride 1, padding 1: the corner window holds 4 real ones among 9 cells.
        Tensor x = Tensor.ones(1, 1, 3, 3).to(DType.FLOAT64);
        Tensor include = Pooling.avgPool2d(x, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, false, true);
        assertArrayEquals(new double[] {4 / 9.0, 6 / 9.0, 4 / 9.0, 6 / 9.0, 1, 6 / 9.0, 4 / 9.0, 6 / 9.0, 4 / 9.0}, include.toDoubleArray(), 1e-15);
        Tensor exclude = Pooling.avgPool2d(x, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, false, false);
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, exclude.toDoubleArray(), 1e-15);
    }

    @Test
    void ceilModeDropsAWindowThatWouldStartInThePadding() {
        // 6 wide, kernel 3, stride 2, padding 1, ceil: ceil(5 / 2) + 1 = 4 windows (floor mode: 3); the 4th starts at 5, inside the input: kept.
        Tensor x6 = Tensor.zeros(DType.FLOAT64, 1, 1, 6, 6);
        assertArrayEquals(new int[] {1, 1, 4, 4}, Pooling.maxPool2d(x6, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, true).shape());
        assertArrayEquals(new int[] {1, 1, 3, 3}, Pooling.maxPool2d(x6, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, false).shape());
        // 5 wide, kernel 2, stride 2, padding 1: ceil((5 + 2 - 2) / 2) + 1 = 4, but the 4th window would start at
        // column 5, in the right padding: dropped, leaving 3 as in floor mode.
        Tensor x5 = Tensor.zeros(DType.FLOAT64, 1, 1, 5, 5);
        assertArrayEquals(new int[] {1, 1, 3, 3}, Pooling.maxPool2d(x5, new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1}, true).shape());
        assertArrayEquals(new int[] {1, 1, 3, 3}, Pooling.maxPool2d(x5, new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1}, false).shape());
    }

    @Test
    void badPoolingArgumentsAreRejected() {
        Tensor x = Tensor.zeros(1, 1, 4, 4);
        // PyTorch: padding at most half the kernel.
        assertThrows(IllegalArgumentException.class, () -> Pooling.maxPool2d(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {2, 2}, false));
        assertThrows(IllegalArgumentException.class, () -> Pooling.avgPool2d(x, new int[] {5, 5}, new int[] {1, 1}, new int[] {0, 0}, false, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pooling.maxPool2d(Tensor.zeros(4, 4), new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, false));
        assertTrue(e.getMessage().contains("[4, 4]"), e.getMessage());
    }
}
