package dev.fovea.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stride-1 input gradients run as a convolution of dy with flipped kernels; the col2im route is the definition.
 * Both must agree on random shapes: odd sizes, asymmetric kernels, padding up to and past d(k-1), dilation, groups.
 */
class ConvInputGradientTest {
    private final boolean saved = Convolution.inputGradByConvolution, savedAlways = Convolution.inputGradByConvolutionAlways;

    @AfterEach
    void restore() {
        Convolution.inputGradByConvolution = saved;
        Convolution.inputGradByConvolutionAlways = savedAlways;
    }

    private static float[] inputGradient(Tensor x, Tensor w, Tensor gy, int[] pad, int[] dil, int groups, boolean byConvolution) {
        Convolution.inputGradByConvolution = byConvolution;
        Convolution.inputGradByConvolutionAlways = byConvolution; // the shapes here are small: force the route
        Tensor xi = x.copy().requiresGrad(true);
        Tensor y = Convolution.conv2d(xi, w, null, new int[] {1, 1}, pad, dil, groups);
        y.backward(gy);
        return xi.grad().toFloatArray();
    }

    @Test
    void bothRoutesAgreeOnRandomShapes() {
        Rng rng = new Rng(31);
        for (int trial = 0; trial < 60; trial++) {
            int groups = 1 + rng.nextInt(3), cg = 1 + rng.nextInt(4), og = 1 + rng.nextInt(5);
            int kh = 1 + rng.nextInt(5), kw = 1 + rng.nextInt(5), dh = 1 + rng.nextInt(2), dw = 1 + rng.nextInt(2);
            int ph = rng.nextInt(dh * (kh - 1) + 2), pw = rng.nextInt(dw * (kw - 1) + 2);
            int h = dh * (kh - 1) + 1 + rng.nextInt(7), wd = dw * (kw - 1) + 1 + rng.nextInt(7), n = 1 + rng.nextInt(3);
            Tensor x = Tensor.randn(rng, n, groups * cg, h, wd), w = Tensor.randn(rng, groups * og, cg, kh, kw);
            int[] pad = {ph, pw}, dil = {dh, dw};
            int oh = h + 2 * ph - dh * (kh - 1), ow = wd + 2 * pw - dw * (kw - 1);
            Tensor gy = Tensor.randn(rng, n, groups * og, oh, ow);
            float[] expected = inputGradient(x, w, gy, pad, dil, groups, false);
            float[] actual = inputGradient(x, w, gy, pad, dil, groups, true);
            for (int i = 0; i < expected.length; i++) {
                float e = expected[i], a = actual[i];
                assertTrue(Math.abs(e - a) <= 1e-4f * (1 + Math.abs(e)), "trial " + trial + " index " + i + ": " + e + " vs " + a);
            }
        }
    }
}
