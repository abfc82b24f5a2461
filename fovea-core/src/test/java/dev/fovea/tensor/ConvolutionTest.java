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

/** conv2d: gradients on a grid of geometries, forward values against a naive reference, and shape errors. */
class ConvolutionTest {

    /** One convolution's geometry. */
    record Geometry(int n, int c, int h, int w, int cout, int kh, int kw,
                    int sh, int sw, int ph, int pw, int dh, int dw, int groups, boolean bias) {

        int[] stride() { return new int[] {sh, sw}; }
        int[] padding() { return new int[] {ph, pw}; }
        int[] dilation() { return new int[] {dh, dw}; }

        Tensor conv(Tensor x, Tensor w, Tensor b) {
            return Convolution.conv2d(x, w, b, stride(), padding(), dilation(), groups);
        }

        double[] reference(Tensor x, Tensor w, Tensor b) {
            return Naive.conv2d(x.toDoubleArray(), n, c, h, this.w, w.toDoubleArray(), cout, kh, kw,
                    b == null ? null : b.toDoubleArray(), sh, sw, ph, pw, dh, dw, groups);
        }

        @Override
        public String toString() {
            return String.format("N%d C%d %dx%d -> C%d k%dx%d s(%d,%d) p(%d,%d) d(%d,%d) g%d%s",
                    n, c, h, w, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups, bias ? " +b" : "");
        }
    }

    /** The grid the gradient checks run on: every option alone and in combination, on odd sizes. */
    static List<Geometry> gradGrid() {
        return List.of(
                //           n  c  h  w cout kh kw sh sw ph pw dh dw  g  bias
                new Geometry(2, 3, 7, 5, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1, true),    // plain
                new Geometry(2, 2, 7, 5, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, false),   // stride 2, padding 1
                new Geometry(3, 2, 7, 5, 2, 2, 3, 2, 1, 2, 1, 1, 1, 1, true),    // stride (2,1), padding (2,1), 2x3 kernel
                new Geometry(2, 2, 7, 6, 3, 3, 3, 1, 1, 1, 1, 2, 2, 1, true),    // dilation 2
                new Geometry(2, 2, 7, 7, 2, 3, 2, 1, 2, 1, 0, 2, 1, 1, false),   // dilation (2,1), stride (1,2)
                new Geometry(3, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2, true),    // groups 2
                new Geometry(2, 3, 6, 5, 3, 3, 3, 2, 2, 1, 1, 1, 1, 3, true),    // depthwise, stride 2
                new Geometry(2, 3, 5, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 3, false),   // depthwise, 2 filters per channel
                new Geometry(2, 2, 5, 7, 3, 1, 3, 1, 1, 0, 1, 1, 1, 1, true),    // 1x3 kernel
                new Geometry(2, 2, 7, 5, 3, 3, 1, 2, 1, 1, 0, 1, 1, 1, true),    // 3x1 kernel, stride (2,1)
                new Geometry(2, 4, 7, 6, 4, 2, 3, 2, 1, 2, 1, 2, 2, 2, true),    // 2x3, stride (2,1), pad (2,1), dilation 2, groups 2
                new Geometry(3, 3, 5, 4, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1, true),    // 1x1 kernel
                new Geometry(2, 2, 3, 4, 3, 3, 4, 1, 1, 0, 0, 1, 1, 1, true),    // kernel as large as the input
                new Geometry(2, 2, 4, 4, 2, 3, 3, 3, 3, 1, 1, 1, 1, 1, true));   // stride larger than what fits evenly
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradGrid")
    void gradientsWrtInputWeightAndBias(Geometry g) {
        long seed = g.toString().hashCode();
        Tensor x = GradCheck.param(seed, g.n, g.c, g.h, g.w);
        Tensor w = GradCheck.param(seed + 1, g.cout, g.c / g.groups, g.kh, g.kw);
        Tensor b = GradCheck.param(seed + 2, g.cout);
        if (g.bias) {
            GradCheck.check(g.toString(), in -> g.conv(in.get(0), in.get(1), in.get(2)), x, w, b);
        } else {
            GradCheck.check(g.toString(), in -> g.conv(in.get(0), in.get(1), null), x, w);
        }
    }

    /**
     * The gradient checks run in float64, where the GEMM takes its generic path; models train in float32, where it
     * takes the fast path. The float32 gradients must be the float64 ones to single precision.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("gradGrid")
    void float32GradientsMatchFloat64(Geometry g) {
        long seed = g.toString().hashCode() + 7L;
        Tensor[] grads64 = convGrads(g, seed, DType.FLOAT64), grads32 = convGrads(g, seed, DType.FLOAT32);
        for (int k = 0; k < 3; k++) {
            if (grads64[k] == null) continue;
            assertEquals(DType.FLOAT32, grads32[k].dtype());
            assertArrayEquals(grads64[k].toDoubleArray(), grads32[k].toDoubleArray(), 1e-4, g + ", gradient " + k);
        }
    }

    /** Gradients of sum(conv(x, w, b) * r) wrt x, w and b, with all data drawn in float64 then converted. */
    private static Tensor[] convGrads(Geometry g, long seed, DType dtype) {
        Tensor x = GradCheck.param(seed, g.n, g.c, g.h, g.w).detach().to(dtype).requiresGrad(true);
        Tensor w = GradCheck.param(seed + 1, g.cout, g.c / g.groups, g.kh, g.kw).detach().to(dtype).requiresGrad(true);
        Tensor b = g.bias ? GradCheck.param(seed + 2, g.cout).detach().to(dtype).requiresGrad(true) : null;
        Tensor y = g.conv(x, w, b);
        y.mul(GradCheck.param(seed + 3, y.shape()).detach().to(dtype)).sum().backward();
        return new Tensor[] {x.grad(), w.grad(), b == null ? null : b.grad()};
    }

    @Test
    void gradientsWhenOnlySomeInputsRequireGrad() {
        Geometry g = gradGrid().get(10);
        Tensor x = GradCheck.param(91, g.n, g.c, g.h, g.w);
        Tensor w = GradCheck.param(92, g.cout, g.c / g.groups, g.kh, g.kw);
        Tensor b = GradCheck.param(93, g.cout);
        Tensor xc = x.detach(), wc = w.detach(), bc = b.detach();
        GradCheck.check("input only", in -> g.conv(in.get(0), in.get(1), in.get(2)), x, wc, bc);
        GradCheck.check("weight only", in -> g.conv(in.get(0), in.get(1), in.get(2)), xc, w, bc);
        GradCheck.check("bias only", in -> g.conv(in.get(0), in.get(1), in.get(2)), xc, wc, b);
    }

    @Test
    void gradientsThroughAConvolutionOfAPermutedInput() {
        // The input is an NHWC tensor permuted to NCHW: conv2d must read it through contiguous().
        Geometry g = new Geometry(2, 3, 5, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, true);
        GradCheck.check("conv of permuted input",
                in -> g.conv(in.get(0).permute(0, 3, 1, 2), in.get(1), in.get(2)),
                GradCheck.param(94, 2, 5, 4, 3), GradCheck.param(95, 2, 3, 3, 3), GradCheck.param(96, 2));
    }

    @Test
    void twoConvolutionsInARow() {
        GradCheck.check("conv -> tanh -> conv", in -> {
            Tensor h = Convolution.conv2d(in.get(0), in.get(1), null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1).tanh();
            return Convolution.conv2d(h, in.get(2), in.get(3), new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, 1);
        }, GradCheck.param(97, 2, 2, 6, 5), GradCheck.param(98, 3, 2, 3, 3), GradCheck.param(99, 2, 3, 2, 2), GradCheck.param(100, 2));
    }

    /** Random geometries with every option drawn independently (only valid ones kept). */
    static List<Geometry> randomGeometries() {
        Rng rng = new Rng(2024);
        List<Geometry> out = new ArrayList<>();
        while (out.size() < 40) {
            int groups = 1 + rng.nextInt(3);
            int c = groups * (1 + rng.nextInt(3)), cout = groups * (1 + rng.nextInt(3));
            int kh = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4);
            int h = 1 + rng.nextInt(12), w = 1 + rng.nextInt(12);
            int sh = 1 + rng.nextInt(3), sw = 1 + rng.nextInt(3);
            int ph = rng.nextInt(3), pw = rng.nextInt(3);
            int dh = 1 + rng.nextInt(3), dw = 1 + rng.nextInt(3);
            if (Naive.convOut(h, kh, sh, ph, dh) < 1 || Naive.convOut(w, kw, sw, pw, dw) < 1) continue;
            out.add(new Geometry(1 + rng.nextInt(3), c, h, w, cout, kh, kw, sh, sw, ph, pw, dh, dw, groups, rng.nextInt(2) == 0));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("randomGeometries")
    void forwardMatchesNaiveReference(Geometry g) {
        long seed = g.toString().hashCode() * 31L;
        Tensor x = GradCheck.param(seed, g.n, g.c, g.h, g.w).detach();
        Tensor w = GradCheck.param(seed + 1, g.cout, g.c / g.groups, g.kh, g.kw).detach();
        Tensor b = g.bias ? GradCheck.param(seed + 2, g.cout).detach() : null;
        Tensor y = g.conv(x, w, b);
        int oh = Naive.convOut(g.h, g.kh, g.sh, g.ph, g.dh), ow = Naive.convOut(g.w, g.kw, g.sw, g.pw, g.dw);
        assertArrayEquals(new int[] {g.n, g.cout, oh, ow}, y.shape(), "output shape");
        double[] expected = g.reference(x, w, b);
        assertArrayEquals(expected, y.toDoubleArray(), 1e-12, "float64");
        // float32 through the same layer: same numbers to single precision.
        Tensor y32 = g.conv(x.to(DType.FLOAT32), w.to(DType.FLOAT32), b == null ? null : b.to(DType.FLOAT32));
        assertEquals(DType.FLOAT32, y32.dtype());
        assertArrayEquals(expected, y32.toDoubleArray(), 1e-4, "float32");
    }

    @Test
    void gridGeometriesAlsoMatchTheReference() {
        for (Geometry g : gradGrid()) forwardMatchesNaiveReference(g);
    }

    @Test
    void batchElementsAreIndependent() {
        // Convolving a batch equals convolving each image alone.
        Geometry g = new Geometry(3, 4, 6, 5, 4, 3, 3, 2, 1, 1, 1, 1, 1, 2, true);
        Tensor x = GradCheck.param(101, 3, 4, 6, 5).detach(), w = GradCheck.param(102, 4, 2, 3, 3).detach(), b = GradCheck.param(103, 4).detach();
        Tensor all = g.conv(x, w, b);
        for (int i = 0; i < 3; i++) {
            Tensor one = g.conv(x.slice(0, i, i + 1), w, b);
            assertArrayEquals(one.toDoubleArray(), all.slice(0, i, i + 1).toDoubleArray(), 0.0);
        }
    }

    // ---------------------------------------------------------------- errors

    private static Tensor conv(Tensor x, Tensor w, Tensor b, int groups) {
        return Convolution.conv2d(x, w, b, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, groups);
    }

    private static void assertMessageMentions(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should mention " + p);
    }

    @Test
    void wrongShapesAreReportedWithTheShapes() {
        assertMessageMentions(assertThrows(IllegalArgumentException.class,
                () -> conv(Tensor.zeros(3, 5, 5), Tensor.zeros(2, 3, 3, 3), null, 1)), "[3, 5, 5]");
        assertMessageMentions(assertThrows(IllegalArgumentException.class,
                () -> conv(Tensor.zeros(1, 3, 5, 5), Tensor.zeros(2, 3, 3), null, 1)), "[2, 3, 3]");
        assertMessageMentions(assertThrows(IllegalArgumentException.class,
                () -> conv(Tensor.zeros(1, 3, 5, 5), Tensor.zeros(2, 4, 3, 3), null, 1)), "[2, 4, 3, 3]", "3 channels");
        assertMessageMentions(assertThrows(IllegalArgumentException.class,
                () -> conv(Tensor.zeros(1, 3, 5, 5), Tensor.zeros(2, 3, 3, 3), Tensor.zeros(3), 1)), "[3]", "2 output channels");
        assertMessageMentions(assertThrows(IllegalArgumentException.class,
                () -> conv(Tensor.zeros(1, 3, 5, 5), Tensor.zeros(2, 1, 3, 3), null, 2)), "groups=2", "3");
        assertMessageMentions(assertThrows(IllegalArgumentException.class,
                () -> conv(Tensor.zeros(1, 3, 2, 5), Tensor.zeros(2, 3, 3, 3), null, 1)), "2x5", "3x3");
        assertThrows(IllegalArgumentException.class, () -> Convolution.conv2d(Tensor.zeros(1, 1, 5, 5), Tensor.zeros(1, 1, 3, 3), null,
                new int[] {0, 1}, new int[] {0, 0}, new int[] {1, 1}, 1));
        assertThrows(IllegalArgumentException.class, () -> Convolution.conv2d(Tensor.zeros(1, 1, 5, 5), Tensor.zeros(1, 1, 3, 3), null,
                new int[] {1, 1}, new int[] {-1, 0}, new int[] {1, 1}, 1));
    }
}
