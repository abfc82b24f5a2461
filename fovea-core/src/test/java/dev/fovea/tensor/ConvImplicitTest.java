package dev.fovea.tensor;

import dev.fovea.kernels.Buf;
import dev.fovea.kernels.ConvShape;
import dev.fovea.kernels.Kernels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stride-1 layers with maps of 16 pixels or more run without a column matrix (the kernels' implicit GEMM) in
 * float32, forward and both gradients; float64 still goes through im2col and the reference loops. The two must
 * agree, with bias, groups, dilation, asymmetric kernels and padding, and the input-gradient route of wide layers.
 */
class ConvImplicitTest {

    private static float[][] run(Tensor x, Tensor w, Tensor b, int[] pad, int[] dil, int groups, Tensor probe) {
        Tensor xi = x.copy().requiresGrad(true), wi = w.copy().requiresGrad(true), bi = b.copy().requiresGrad(true);
        Tensor y = Convolution.conv2d(xi, wi, bi, new int[] {1, 1}, pad, dil, groups);
        y.mul(probe.to(y.dtype())).sum().backward();
        return new float[][] {y.to(DType.FLOAT32).toFloatArray(), xi.grad().to(DType.FLOAT32).toFloatArray(),
                wi.grad().to(DType.FLOAT32).toFloatArray(), bi.grad().to(DType.FLOAT32).toFloatArray()};
    }

    private static void agree(int n, int c, int h, int wd, int cout, int kh, int kw, int[] pad, int[] dil, int groups) {
        // Every shape here must take the path under test (unless -Dfovea.kernels=reference forces the plain loops).
        if (Kernels.active() == Kernels.vector()) {
            ConvShape s = new ConvShape(c / groups, h, wd, kh, kw, 1, 1, pad[0], pad[1], dil[0], dil[1]);
            assertTrue(Kernels.active().convDirect(s, new Buf.F32(new float[1])), "no implicit GEMM for " + s);
        }
        Rng rng = new Rng(c * 131 + h);
        Tensor x = Tensor.randn(rng, n, c, h, wd), w = Tensor.randn(rng, cout, c / groups, kh, kw).mul(0.2f), b = Tensor.randn(rng, cout);
        int oh = h + 2 * pad[0] - dil[0] * (kh - 1), ow = wd + 2 * pad[1] - dil[1] * (kw - 1);
        Tensor probe = Tensor.randn(rng, n, cout, oh, ow);
        float[][] f32 = run(x, w, b, pad, dil, groups, probe);
        float[][] f64 = run(x.to(DType.FLOAT64), w.to(DType.FLOAT64), b.to(DType.FLOAT64), pad, dil, groups, probe);
        String[] what = {"output", "input gradient", "weight gradient", "bias gradient"};
        for (int i = 0; i < 4; i++) {
            float[] e = f64[i], a = f32[i];
            for (int j = 0; j < e.length; j++) {
                if (Math.abs(e[j] - a[j]) > 2e-4f * (1 + Math.abs(e[j]))) {
                    throw new AssertionError(what[i] + " of " + c + "->" + cout + " " + h + "x" + wd + " k" + kh + "x" + kw
                            + " groups " + groups + " at " + j + ": float64 " + e[j] + ", float32 " + a[j]);
                }
            }
        }
    }

    @Test
    void float32AgreesWithFloat64() {
        agree(3, 6, 24, 23, 10, 3, 3, new int[] {1, 1}, new int[] {1, 1}, 2);
        agree(2, 5, 20, 24, 7, 3, 3, new int[] {2, 2}, new int[] {2, 2}, 1);
        agree(2, 4, 17, 30, 9, 1, 5, new int[] {0, 2}, new int[] {1, 1}, 1);
        agree(2, 3, 28, 28, 6, 5, 5, new int[] {2, 2}, new int[] {1, 1}, 1);
        // Wide enough that the input gradient is a convolution of dy, itself without a column matrix.
        agree(2, 32, 16, 16, 32, 3, 3, new int[] {1, 1}, new int[] {1, 1}, 1);
        agree(2, 16, 20, 18, 16, 3, 3, new int[] {1, 1}, new int[] {1, 1}, 1);
    }
}
