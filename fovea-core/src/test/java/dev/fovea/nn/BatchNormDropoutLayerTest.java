package dev.fovea.nn;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The BatchNorm1d/2d and Dropout layers: running statistics, modes and determinism. */
class BatchNormDropoutLayerTest {

    private static Tensor input(long seed, double scale, double shift, int... shape) {
        return Tensor.randn(new Rng(seed), shape).mul(scale).add(shift);
    }

    /** Per-channel mean and unbiased variance of an N x C x H x W (or N x C) tensor, straight from the definition. */
    private static double[][] channelStats(Tensor x) {
        int[] s = x.shape();
        int n = s[0], c = s[1], inner = 1;
        for (int i = 2; i < s.length; i++) inner *= s[i];
        double[] v = x.toDoubleArray();
        double[] mean = new double[c], var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) for (int p = 0; p < inner; p++) sum += v[(i * c + ch) * inner + p];
            mean[ch] = sum / (n * inner);
            double ss = 0;
            for (int i = 0; i < n; i++) for (int p = 0; p < inner; p++) ss += Math.pow(v[(i * c + ch) * inner + p] - mean[ch], 2);
            var[ch] = ss / (n * inner - 1);
        }
        return new double[][] {mean, var};
    }

    @Test
    void batchNorm2dTrainingUpdatesRunningStatistics() {
        BatchNorm2d bn = new BatchNorm2d(3);
        Map<String, Tensor> sd = bn.stateDict();
        Tensor x1 = input(1, 2.0, 1.5, 4, 3, 5, 5);
        Tensor x2 = input(2, 0.5, -3.0, 4, 3, 5, 5);
        double[][] s1 = channelStats(x1), s2 = channelStats(x2);

        Tensor y = bn.forward(x1);
        assertEquals(1.0, sd.get("num_batches_tracked").get(0));
        for (int c = 0; c < 3; c++) {
            // running = 0.9 * running + 0.1 * batch, unbiased variance; initial mean 0, variance 1.
            assertEquals(0.1 * s1[0][c], sd.get("running_mean").get(c), 1e-5);
            assertEquals(0.9 + 0.1 * s1[1][c], sd.get("running_var").get(c), 1e-5);
        }
        // The training output is normalised with the batch's own biased statistics (weight 1, bias 0 at first).
        int count = 4 * 25;
        for (int n = 0; n < 4; n++) {
            for (int c = 0; c < 3; c++) {
                double biased = s1[1][c] * (count - 1) / count;
                for (int i = 0; i < 5; i++) {
                    for (int j = 0; j < 5; j++) {
                        assertEquals((x1.get(n, c, i, j) - s1[0][c]) / Math.sqrt(biased + 1e-5), y.get(n, c, i, j), 1e-4);
                    }
                }
            }
        }

        bn.forward(x2);
        assertEquals(2.0, sd.get("num_batches_tracked").get(0));
        for (int c = 0; c < 3; c++) {
            assertEquals(0.9 * 0.1 * s1[0][c] + 0.1 * s2[0][c], sd.get("running_mean").get(c), 1e-5);
            assertEquals(0.9 * (0.9 + 0.1 * s1[1][c]) + 0.1 * s2[1][c], sd.get("running_var").get(c), 1e-4);
        }
    }

    @Test
    void batchNorm2dEvalUsesRunningStatistics() {
        BatchNorm2d bn = new BatchNorm2d(2);
        Map<String, Tensor> sd = bn.stateDict();
        sd.get("running_mean").copyFrom(Tensor.of(new float[] {0.5f, -2f}, 2));
        sd.get("running_var").copyFrom(Tensor.of(new float[] {4f, 0.25f}, 2));
        sd.get("weight").copyFrom(Tensor.of(new float[] {1.5f, -1f}, 2));
        sd.get("bias").copyFrom(Tensor.of(new float[] {0.1f, 3f}, 2));
        bn.eval();
        Tensor x = input(3, 1, 0, 3, 2, 4, 4);
        Tensor y = bn.forward(x);
        double[] rm = {0.5, -2}, rv = {4, 0.25}, w = {1.5, -1}, b = {0.1, 3};
        for (int n = 0; n < 3; n++) {
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        double expected = (x.get(n, c, i, j) - rm[c]) / Math.sqrt(rv[c] + 1e-5) * w[c] + b[c];
                        assertEquals(expected, y.get(n, c, i, j), 1e-5);
                    }
                }
            }
        }
        // Evaluation changes no buffer.
        assertArrayEquals(new float[] {0.5f, -2f}, sd.get("running_mean").toFloatArray());
        assertArrayEquals(new float[] {4f, 0.25f}, sd.get("running_var").toFloatArray());
        assertEquals(0.0, sd.get("num_batches_tracked").get(0));
        // A single example works in evaluation (it could not in training).
        assertArrayEquals(new int[] {1, 2, 4, 4}, bn.forward(x.slice(0, 0, 1)).shape());
    }

    @Test
    void batchNorm1dAcceptsFeatureVectors() {
        BatchNorm1d bn = new BatchNorm1d(4);
        Tensor x = input(4, 3, 2, 8, 4);
        double[][] s = channelStats(x);
        Tensor y = bn.forward(x);
        assertArrayEquals(new int[] {8, 4}, y.shape());
        for (int c = 0; c < 4; c++) {
            assertEquals(0.1 * s[0][c], bn.stateDict().get("running_mean").get(c), 1e-5);
            assertEquals(0.9 + 0.1 * s[1][c], bn.stateDict().get("running_var").get(c), 1e-4);
        }
        // N x C x L too.
        assertArrayEquals(new int[] {2, 4, 5}, bn.forward(input(5, 1, 0, 2, 4, 5)).shape());
        assertEquals(2.0, bn.stateDict().get("num_batches_tracked").get(0));
    }

    @Test
    void batchNormWithoutAffineHasOnlyBuffers() {
        BatchNorm2d bn = new BatchNorm2d(3, 1e-3, 0.5, false);
        assertEquals(0, bn.parameterCount());
        assertEquals(java.util.List.of("running_mean", "running_var", "num_batches_tracked"), new java.util.ArrayList<>(bn.stateDict().keySet()));
        Tensor x = input(6, 1, 1, 2, 3, 3, 3);
        double[][] s = channelStats(x);
        bn.forward(x);
        for (int c = 0; c < 3; c++) assertEquals(0.5 * s[0][c], bn.stateDict().get("running_mean").get(c), 1e-5);
    }

    @Test
    void wrongShapesAreExplained() {
        BatchNorm2d bn2 = new BatchNorm2d(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn2.forward(Tensor.zeros(2, 4, 5, 5)));
        assertTrue(e.getMessage().contains("3 channels") && e.getMessage().contains("[2, 4, 5, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> bn2.forward(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("N x C x H x W"), e.getMessage());
        BatchNorm1d bn1 = new BatchNorm1d(4);
        e = assertThrows(IllegalArgumentException.class, () -> bn1.forward(Tensor.zeros(2, 4, 3, 3)));
        assertTrue(e.getMessage().contains("BatchNorm1d") && e.getMessage().contains("[2, 4, 3, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> bn1.forward(Tensor.zeros(2, 5)));
        assertTrue(e.getMessage().contains("4 channels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bn1.forward(Tensor.zeros(4)));
        // Training on one value per channel is impossible (no variance); refused, and not counted either.
        e = assertThrows(IllegalArgumentException.class, () -> bn1.forward(Tensor.zeros(1, 4)));
        assertTrue(e.getMessage().contains("more than one value"), e.getMessage());
        // A refused input does not count as a batch.
        assertEquals(0.0, bn2.stateDict().get("num_batches_tracked").get(0));
        assertEquals(0.0, bn1.stateDict().get("num_batches_tracked").get(0));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(0));
    }

    @Test
    void dropoutIsIdentityInEval() {
        Dropout d = new Dropout(0.5);
        d.eval();
        Tensor x = input(7, 1, 0, 4, 10);
        Tensor y = d.forward(x);
        assertArrayEquals(x.toFloatArray(), y.toFloatArray());
        assertArrayEquals(x.shape(), y.shape());
    }

    @Test
    void dropoutInTrainingZeroesAboutPAndScalesTheRest() {
        double p = 0.3;
        Dropout d = new Dropout(p);
        assertTrue(d.isTraining());
        int n = 100_000;
        Tensor x = Tensor.full(2.0, 100, 1000);
        Rng.manualSeed(123);
        float[] y = d.forward(x).toFloatArray();
        int zeros = 0;
        float kept = (float) (2.0 / (1 - p));
        for (float v : y) {
            if (v == 0) zeros++;
            else assertEquals(kept, v, 1e-6f);
        }
        // Binomial(1e5, 0.3): standard deviation 145, so +-1500 is ten of them.
        assertEquals(p * n, zeros, 1500);
        // The expectation is preserved.
        double mean = 0;
        for (float v : y) mean += v;
        assertEquals(2.0, mean / n, 0.05);

        Rng.manualSeed(123);
        assertArrayEquals(y, d.forward(x).toFloatArray(), "same seed, different mask");
        Rng.manualSeed(124);
        assertFalse(Arrays.equals(y, d.forward(x).toFloatArray()), "different seed, same mask");
        // Successive calls draw fresh masks.
        Rng.manualSeed(123);
        float[] first = d.forward(x).toFloatArray();
        assertFalse(Arrays.equals(first, d.forward(x).toFloatArray()));
    }

    @Test
    void dropoutProbabilityIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
        assertTrue(e.getMessage().contains("-0.1"), e.getMessage());
        // p = 0 is allowed and changes nothing even in training.
        Tensor x = input(8, 1, 0, 3, 3);
        Dropout none = new Dropout(0);
        assertArrayEquals(x.toFloatArray(), none.forward(x).toFloatArray());
        assertSame(none, none.train());
    }
}
