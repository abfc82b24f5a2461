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

/**
 * conv_transpose2d: output sizes, hand-computed values, the adjoint relation with conv2d, a naive scatter
 * reference, gradient checks on a grid of geometries, float32 against float64, and argument errors.
 */
class TransposedConvolutionTest {

    /** One transposed convolution's geometry; cin/cout are the transposed convolution's own input/output channels. */
    record Geometry(int n, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int ph, int pw,
                    int oph, int opw, int dh, int dw, int groups, boolean bias) {

        int[] stride() { return new int[] {sh, sw}; }
        int[] padding() { return new int[] {ph, pw}; }
        int[] outputPadding() { return new int[] {oph, opw}; }
        int[] dilation() { return new int[] {dh, dw}; }
        int outH() { return (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1; }
        int outW() { return (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1; }
        int[] weightShape() { return new int[] {cin, cout / groups, kh, kw}; }

        Tensor convT(Tensor x, Tensor wt, Tensor b) {
            return TransposedConvolution.convTranspose2d(x, wt, b, stride(), padding(), outputPadding(), groups, dilation());
        }

        @Override
        public String toString() {
            return String.format("N%d C%d %dx%d -> C%d k%dx%d s(%d,%d) p(%d,%d) op(%d,%d) d(%d,%d) g%d%s",
                    n, cin, h, w, cout, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw, groups, bias ? " +b" : "");
        }
    }

    /**
     * The definition, written independently: every input pixel scatters into
     * y[n][o][i*sh - ph + u*dh][j*sw - pw + v*dw] with weight w[c][o - groupStart][u][v]; positions outside are dropped.
     */
    static double[] naive(Geometry g, double[] x, double[] wt, double[] b) {
        int oh = g.outH(), ow = g.outW(), cg = g.cin / g.groups, og = g.cout / g.groups;
        double[] y = new double[g.n * g.cout * oh * ow];
        for (int n = 0; n < g.n; n++) {
            for (int o = 0; o < g.cout; o++) {
                for (int p = 0; p < oh * ow; p++) y[(n * g.cout + o) * oh * ow + p] = b == null ? 0 : b[o];
            }
            for (int c = 0; c < g.cin; c++) {
                int group = c / cg;
                for (int i = 0; i < g.h; i++) {
                    for (int j = 0; j < g.w; j++) {
                        double xv = x[((n * g.cin + c) * g.h + i) * g.w + j];
                        for (int oo = 0; oo < og; oo++) {
                            int o = group * og + oo;
                            for (int u = 0; u < g.kh; u++) {
                                for (int v = 0; v < g.kw; v++) {
                                    int yy = i * g.sh - g.ph + u * g.dh, xx = j * g.sw - g.pw + v * g.dw;
                                    if (yy < 0 || yy >= oh || xx < 0 || xx >= ow) continue;
                                    y[((n * g.cout + o) * oh + yy) * ow + xx] += xv * wt[((c * og + oo) * g.kh + u) * g.kw + v];
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    static List<Geometry> gradGrid() {
        return List.of(
                //           n cin h  w cout kh kw sh sw ph pw op op dh dw g  bias
                new Geometry(2, 3, 3, 4, 2, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, true),   // plain, stride 1
                new Geometry(3, 2, 3, 3, 3, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1, false),  // stride 2
                new Geometry(2, 2, 3, 4, 2, 4, 4, 2, 2, 1, 1, 0, 0, 1, 1, 1, true),   // DCGAN's k4 s2 p1 (doubles the size)
                new Geometry(3, 2, 3, 3, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, true),   // output padding 1
                new Geometry(2, 2, 4, 3, 3, 3, 2, 3, 2, 1, 0, 2, 1, 1, 1, 1, true),   // stride (3,2), output padding (2,1)
                new Geometry(2, 2, 3, 3, 2, 3, 3, 1, 1, 1, 1, 0, 0, 2, 2, 1, true),   // dilation 2
                new Geometry(3, 2, 3, 4, 2, 2, 3, 2, 1, 1, 1, 1, 0, 2, 1, 1, false),  // dilation (2,1), stride (2,1), op (1,0)
                new Geometry(2, 4, 3, 3, 6, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 2, true),   // groups 2
                new Geometry(3, 3, 3, 4, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3, true),   // depthwise, output padding
                new Geometry(2, 4, 3, 3, 2, 2, 3, 2, 1, 1, 1, 1, 0, 2, 2, 2, true),   // everything at once
                new Geometry(2, 2, 2, 3, 3, 1, 1, 2, 2, 0, 0, 1, 0, 1, 1, 1, true),   // 1x1 kernel, stride 2
                new Geometry(2, 2, 3, 3, 2, 3, 3, 1, 1, 1, 0, 1, 1, 2, 2, 1, true),   // op >= stride (allowed by dilation 2)
                new Geometry(3, 2, 3, 3, 2, 2, 3, 1, 2, 0, 2, 2, 1, 3, 2, 1, true),   // op >= stride, pad beyond the reach
                new Geometry(1, 2, 3, 3, 2, 3, 3, 1, 1, 2, 1, 0, 0, 1, 1, 1, true));  // padding 2 crops the output to 1 row
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradGrid")
    void gradientsWrtInputWeightAndBias(Geometry g) {
        long seed = g.toString().hashCode();
        Tensor x = GradCheck.param(seed, g.n, g.cin, g.h, g.w);
        Tensor w = GradCheck.param(seed + 1, g.weightShape());
        Tensor b = GradCheck.param(seed + 2, g.cout);
        if (g.bias) {
            GradCheck.check(g.toString(), in -> g.convT(in.get(0), in.get(1), in.get(2)), x, w, b);
        } else {
            GradCheck.check(g.toString(), in -> g.convT(in.get(0), in.get(1), null), x, w);
        }
    }

    @Test
    void gradientsWhenOnlySomeInputsRequireGrad() {
        Geometry g = gradGrid().get(9);
        Tensor x = GradCheck.param(11, g.n, g.cin, g.h, g.w), w = GradCheck.param(12, g.weightShape()), b = GradCheck.param(13, g.cout);
        Tensor xc = x.detach(), wc = w.detach(), bc = b.detach();
        GradCheck.check("input only", in -> g.convT(in.get(0), in.get(1), in.get(2)), x, wc, bc);
        GradCheck.check("weight only", in -> g.convT(in.get(0), in.get(1), in.get(2)), xc, w, bc);
        GradCheck.check("bias only", in -> g.convT(in.get(0), in.get(1), in.get(2)), xc, wc, b);
    }

    @Test
    void convTransposeThenConvGradients() {
        // An upsampling decoder step followed by a convolution, with a non-linearity between.
        GradCheck.check("convT -> tanh -> conv", in -> {
            Tensor up = TransposedConvolution.convTranspose2d(in.get(0), in.get(1), in.get(2), new int[] {2, 2}, new int[] {1, 1},
                    new int[] {1, 1}, 1, new int[] {1, 1}).tanh();
            return Convolution.conv2d(up, in.get(3), null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
        }, GradCheck.param(21, 2, 3, 3, 3), GradCheck.param(22, 3, 2, 3, 3), GradCheck.param(23, 2), GradCheck.param(24, 2, 2, 3, 3));
    }

    /** Random geometries with every option drawn independently (valid ones kept), output padding up to the limit. */
    static List<Geometry> randomGeometries() {
        Rng rng = new Rng(4242);
        List<Geometry> out = new ArrayList<>();
        while (out.size() < 40) {
            int groups = 1 + rng.nextInt(3);
            int cin = groups * (1 + rng.nextInt(3)), cout = groups * (1 + rng.nextInt(3));
            int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4);
            int h = 1 + rng.nextInt(6), w = 1 + rng.nextInt(6);
            int sh = 1 + rng.nextInt(3), sw = 1 + rng.nextInt(3);
            int ph = rng.nextInt(3), pw = rng.nextInt(3);
            int dh = 1 + rng.nextInt(3), dw = 1 + rng.nextInt(3);
            int oph = rng.nextInt(Math.max(sh, dh)), opw = rng.nextInt(Math.max(sw, dw));
            Geometry g = new Geometry(1 + rng.nextInt(5), cin, h, w, cout, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw, groups, rng.nextInt(2) == 0);
            if (g.outH() < 1 || g.outW() < 1) continue;
            out.add(g);
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("randomGeometries")
    void forwardMatchesNaiveScatter(Geometry g) {
        long seed = g.toString().hashCode() * 31L;
        Tensor x = GradCheck.param(seed, g.n, g.cin, g.h, g.w).detach();
        Tensor w = GradCheck.param(seed + 1, g.weightShape()).detach();
        Tensor b = g.bias ? GradCheck.param(seed + 2, g.cout).detach() : null;
        Tensor y = g.convT(x, w, b);
        assertArrayEquals(new int[] {g.n, g.cout, g.outH(), g.outW()}, y.shape(), "output shape");
        double[] expected = naive(g, x.toDoubleArray(), w.toDoubleArray(), b == null ? null : b.toDoubleArray());
        assertArrayEquals(expected, y.toDoubleArray(), 1e-12, "float64");
        Tensor y32 = g.convT(x.to(DType.FLOAT32), w.to(DType.FLOAT32), b == null ? null : b.to(DType.FLOAT32));
        assertEquals(DType.FLOAT32, y32.dtype());
        assertArrayEquals(expected, y32.toDoubleArray(), 1e-4, "float32");
    }

    @Test
    void gridGeometriesAlsoMatchTheNaiveScatter() {
        for (Geometry g : gradGrid()) forwardMatchesNaiveScatter(g);
    }

    /**
     * Transposed convolution is the adjoint of convolution in its input: with the same weight tensor (conv's
     * Cout x Cin/groups x kh x kw is the transposed convolution's in x out/groups x kh x kw),
     * {@code <conv(x), y> = <x, convT(y)>}, the output padding being whatever makes convT's output x's size.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("randomGeometries")
    void adjointOfConvolution(Geometry r) {
        // Reuse the random draw as a convolution geometry: x is C = r.cout channels of a size conv can read.
        int c = r.cout, cout = r.cin, hx = r.h + r.kh * r.dh + 2, wx = r.w + r.kw * r.dw + 1;
        int[] s = r.stride(), p = r.padding(), d = r.dilation();
        long seed = r.toString().hashCode() + 5L;
        Tensor x = GradCheck.param(seed, r.n, c, hx, wx).detach();
        Tensor w = GradCheck.param(seed + 1, cout, c / r.groups, r.kh, r.kw).detach();
        Tensor cx = Convolution.conv2d(x, w, null, s, p, d, r.groups);
        Tensor y = GradCheck.param(seed + 2, cx.shape()).detach();
        int[] op = {
                (hx + 2 * p[0] - d[0] * (r.kh - 1) - 1) % s[0],
                (wx + 2 * p[1] - d[1] * (r.kw - 1) - 1) % s[1]};
        Tensor ty = TransposedConvolution.convTranspose2d(y, w, null, s, p, op, r.groups, d);
        assertArrayEquals(x.shape(), ty.shape(), "convT takes conv's output size back to its input size");
        double lhs = cx.mul(y).sum().item(), rhs = x.mul(ty).sum().item();
        assertEquals(lhs, rhs, 1e-10 * (1 + Math.abs(lhs)), "<conv(x), y> vs <x, convT(y)>");
    }

    @Test
    void fiveByFiveStrideTwoRoundTripsThroughTwoByTwo() {
        Tensor w = GradCheck.param(31, 1, 1, 3, 3).detach();
        int[] two = {2, 2}, zero = {0, 0}, one = {1, 1};
        Tensor down = Convolution.conv2d(GradCheck.param(32, 1, 1, 5, 5).detach(), w, null, two, zero, one, 1);
        assertArrayEquals(new int[] {1, 1, 2, 2}, down.shape());
        Tensor up = TransposedConvolution.convTranspose2d(down, w, null, two, zero, zero, 1, one);
        assertArrayEquals(new int[] {1, 1, 5, 5}, up.shape());
        // Conv maps both 5x5 and 6x6 to 2x2; output padding 1 selects 6x6.
        Tensor up6 = TransposedConvolution.convTranspose2d(down, w, null, two, zero, one, 1, one);
        assertArrayEquals(new int[] {1, 1, 6, 6}, up6.shape());
        assertArrayEquals(new int[] {1, 1, 2, 2}, Convolution.conv2d(up6, w, null, two, zero, one, 1).shape());
    }

    @Test
    void handComputedValues() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor ones = Tensor.of(new double[] {1, 1, 1, 1}, 1, 1, 2, 2);
        int[] one = {1, 1}, zero = {0, 0}, two = {2, 2};
        // Stride 1: each pixel stamps a 2x2 block of itself; overlaps add.
        Tensor y1 = TransposedConvolution.convTranspose2d(x, ones, null, one, zero, zero, 1, one);
        assertArrayEquals(new double[] {1, 3, 2, 4, 10, 6, 3, 7, 4}, y1.toDoubleArray(), 0);
        // Stride 2: the blocks tile without overlap (nearest-neighbour upsampling), plus the bias.
        Tensor y2 = TransposedConvolution.convTranspose2d(x, ones, Tensor.of(new double[] {0.5}, 1), two, zero, zero, 1, one);
        assertArrayEquals(new double[] {
                1.5, 1.5, 2.5, 2.5,
                1.5, 1.5, 2.5, 2.5,
                3.5, 3.5, 4.5, 4.5,
                3.5, 3.5, 4.5, 4.5}, y2.toDoubleArray(), 0);
        // Padding 1 removes one row and column on every side of the stride-1 result.
        Tensor y3 = TransposedConvolution.convTranspose2d(x, Tensor.of(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 1, 1, 3, 3), null, one, one, zero, 1, one);
        assertArrayEquals(new double[] {10, 10, 10, 10}, y3.toDoubleArray(), 0);
        // The weight is in x out: two input channels into one output add up, one input into two outputs copies.
        Tensor x2 = Tensor.of(new double[] {1, 2}, 1, 2, 1, 1);
        assertArrayEquals(new double[] {1 * 3 + 2 * 5}, TransposedConvolution.convTranspose2d(x2, Tensor.of(new double[] {3, 5}, 2, 1, 1, 1),
                null, one, zero, zero, 1, one).toDoubleArray(), 0);
        assertArrayEquals(new double[] {3, 5}, TransposedConvolution.convTranspose2d(Tensor.of(new double[] {1}, 1, 1, 1, 1),
                Tensor.of(new double[] {3, 5}, 1, 2, 1, 1), null, one, zero, zero, 1, one).toDoubleArray(), 0);
    }

    @Test
    void batchElementsAreIndependentAndChunkingChangesNothing() {
        Geometry g = new Geometry(7, 4, 3, 4, 6, 3, 3, 2, 2, 1, 1, 1, 0, 1, 1, 2, true);
        Tensor x = GradCheck.param(41, g.n, g.cin, g.h, g.w).detach().to(DType.FLOAT32).requiresGrad(true);
        Tensor w = GradCheck.param(42, g.weightShape()).detach().to(DType.FLOAT32).requiresGrad(true);
        Tensor b = GradCheck.param(43, g.cout).detach().to(DType.FLOAT32).requiresGrad(true);
        Tensor r = GradCheck.param(44, g.n, g.cout, g.outH(), g.outW()).detach().to(DType.FLOAT32);
        Tensor all = g.convT(x, w, b);
        all.mul(r).sum().backward();
        float[] gx = x.grad().toFloatArray(), gw = w.grad().toFloatArray(), gb = b.grad().toFloatArray();
        for (int i = 0; i < g.n; i++) {
            Tensor one = g.convT(x.detach().slice(0, i, i + 1), w.detach(), b.detach());
            assertArrayEquals(one.toFloatArray(), all.detach().slice(0, i, i + 1).toFloatArray(), 1e-5f, "image " + i);
        }
        int saved = TransposedConvolution.colBudget;
        try {
            TransposedConvolution.colBudget = 1; // one image per GEMM
            x.zeroGrad();
            w.zeroGrad();
            b.zeroGrad();
            Tensor chunked = g.convT(x, w, b);
            chunked.mul(r).sum().backward();
            assertArrayEquals(all.toFloatArray(), chunked.toFloatArray(), 1e-5f, "forward");
            assertArrayEquals(gx, x.grad().toFloatArray(), 1e-5f, "input gradient");
            assertArrayEquals(gw, w.grad().toFloatArray(), 1e-4f, "weight gradient");
            assertArrayEquals(gb, b.grad().toFloatArray(), 1e-4f, "bias gradient");
        } finally {
            TransposedConvolution.colBudget = saved;
        }
    }

    @Test
    void float32GradientsMatchFloat64() {
        for (Geometry g : gradGrid()) {
            long seed = g.toString().hashCode() + 9L;
            Tensor[] g64 = grads(g, seed, DType.FLOAT64), g32 = grads(g, seed, DType.FLOAT32);
            for (int k = 0; k < 3; k++) {
                if (g64[k] == null) continue;
                assertEquals(DType.FLOAT32, g32[k].dtype());
                assertArrayEquals(g64[k].toDoubleArray(), g32[k].toDoubleArray(), 1e-4, g + ", gradient " + k);
            }
        }
    }

    private static Tensor[] grads(Geometry g, long seed, DType dtype) {
        Tensor x = GradCheck.param(seed, g.n, g.cin, g.h, g.w).detach().to(dtype).requiresGrad(true);
        Tensor w = GradCheck.param(seed + 1, g.weightShape()).detach().to(dtype).requiresGrad(true);
        Tensor b = g.bias ? GradCheck.param(seed + 2, g.cout).detach().to(dtype).requiresGrad(true) : null;
        Tensor y = g.convT(x, w, b);
        y.mul(GradCheck.param(seed + 3, y.shape()).detach().to(dtype)).sum().backward();
        return new Tensor[] {x.grad(), w.grad(), b == null ? null : b.grad()};
    }

    private static Tensor convT(Tensor x, Tensor w, int[] stride, int[] outputPadding, int[] dilation, int groups) {
        return TransposedConvolution.convTranspose2d(x, w, null, stride, new int[] {0, 0}, outputPadding, groups, dilation);
    }

    @Test
    void argumentErrors() {
        int[] one = {1, 1}, two = {2, 2}, zero = {0, 0};
        Tensor x = Tensor.zeros(1, 4, 3, 3);
        // Output padding must be below the stride or the dilation (PyTorch's rule).
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> convT(x, Tensor.zeros(4, 2, 3, 3), two, two, one, 1));
        assertTrue(e.getMessage().contains("output padding"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> convT(x, Tensor.zeros(4, 2, 3, 3), one, one, one, 1));
        convT(x, Tensor.zeros(4, 2, 3, 3), one, one, two, 1); // below the dilation: fine
        // Weight rows must match the input channels.
        e = assertThrows(IllegalArgumentException.class, () -> convT(x, Tensor.zeros(3, 2, 3, 3), one, zero, one, 1));
        assertTrue(e.getMessage().contains("[3, 2, 3, 3]"), e.getMessage());
        // Groups must divide the input channels.
        assertThrows(IllegalArgumentException.class, () -> convT(x, Tensor.zeros(4, 2, 3, 3), one, zero, one, 3));
        assertThrows(IllegalArgumentException.class, () -> convT(Tensor.zeros(4, 3, 3), Tensor.zeros(4, 2, 3, 3), one, zero, one, 1));
        // Bias of the wrong length (out = 2 * groups).
        assertThrows(IllegalArgumentException.class, () -> TransposedConvolution.convTranspose2d(x, Tensor.zeros(4, 2, 3, 3), Tensor.zeros(2),
                one, zero, zero, 2, one));
        // Padding that leaves nothing.
        assertThrows(IllegalArgumentException.class, () -> TransposedConvolution.convTranspose2d(Tensor.zeros(1, 1, 1, 1), Tensor.zeros(1, 1, 1, 1),
                null, one, one, zero, 1, one));
    }
}
