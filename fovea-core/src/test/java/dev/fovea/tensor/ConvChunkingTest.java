package dev.fovea.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The convolution unrolls a batch in chunks of images when the column matrix would exceed its budget; the
 * results (forward and all three gradients) must not depend on the chunk size.
 */
class ConvChunkingTest {
    private final int saved = Convolution.colBudget;

    @AfterEach
    void restore() {
        Convolution.colBudget = saved;
    }

    private static float[][] run(Tensor x, Tensor w, Tensor b, int groups) {
        Tensor xi = x.copy().requiresGrad(true), wi = w.copy().requiresGrad(true), bi = b.copy().requiresGrad(true);
        Tensor y = Convolution.conv2d(xi, wi, bi, new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 2}, groups);
        y.mul(Tensor.randn(new Rng(9), y.shape())).sum().backward();
        return new float[][] {y.toFloatArray(), xi.grad().toFloatArray(), wi.grad().toFloatArray(), bi.grad().toFloatArray()};
    }

    @Test
    void chunkSizeDoesNotChangeResults() {
        Rng rng = new Rng(4);
        Tensor x = Tensor.randn(rng, 7, 4, 9, 11), w = Tensor.randn(rng, 6, 2, 3, 3), b = Tensor.randn(rng, 6);
        float[][] whole = run(x, w, b, 2);
        int rows = 2 * 9, opix = 5 * 11; // per group: 2 channels x 3x3; output 5x11
        for (int perChunk : new int[] {1, 2, 3}) {
            Convolution.colBudget = rows * opix * perChunk;
            float[][] chunked = run(x, w, b, 2);
            String[] what = {"output", "input gradient", "weight gradient", "bias gradient"};
            for (int i = 0; i < 4; i++) {
                float[] e = whole[i], a = chunked[i];
                for (int j = 0; j < e.length; j++) {
                    if (Math.abs(e[j] - a[j]) > 1e-4f * (1 + Math.abs(e[j]))) {
                        throw new AssertionError(what[i] + " differs with " + perChunk + " images per chunk at " + j + ": " + e[j] + " vs " + a[j]);
                    }
                }
            }
        }
    }

    @Test
    void chunkedFloat64GradientsPassTheFiniteDifferenceCheck() {
        Convolution.colBudget = 2 * 3 * 3 * 4 * 5; // two images per chunk
        Rng rng = new Rng(12);
        Tensor x = Tensor.randn(rng, 5, 2, 4, 5).to(DType.FLOAT64).requiresGrad(true);
        Tensor w = Tensor.randn(rng, 3, 2, 3, 3).to(DType.FLOAT64).requiresGrad(true);
        assertArrayEquals(new int[] {5, 3, 4, 5}, Convolution.conv2d(x, w, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1).shape());
        GradCheck.check("chunked conv2d", in -> Convolution.conv2d(in.get(0), in.get(1), null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1), x, w);
    }
}
