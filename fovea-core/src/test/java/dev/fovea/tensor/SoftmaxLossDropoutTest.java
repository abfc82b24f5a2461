package dev.fovea.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Softmax, log-softmax, cross-entropy and dropout. */
class SoftmaxLossDropoutTest {

    @Test
    void softmaxGradients() {
        Tensor x = GradCheck.param(141, 3, 4, 5);
        for (int dim : new int[] {0, 1, 2, -1}) {
            GradCheck.check("softmax dim " + dim, in -> Softmax.softmax(in.get(0), dim), x);
            GradCheck.check("logSoftmax dim " + dim, in -> Softmax.logSoftmax(in.get(0), dim), x);
        }
        Tensor m = GradCheck.param(142, 4, 6);
        GradCheck.check("softmax 2-D dim 1", in -> Softmax.softmax(in.get(0), 1), m);
        GradCheck.check("logSoftmax 2-D dim 0", in -> Softmax.logSoftmax(in.get(0), 0), m);
        GradCheck.check("softmax of a transpose", in -> Softmax.softmax(in.get(0).transpose(0, 1), 1), m);
    }

    @Test
    void softmaxValuesAlongEachDim() {
        Tensor x = GradCheck.param(143, 2, 3, 4).detach();
        for (int dim = 0; dim < 3; dim++) {
            Tensor s = Softmax.softmax(x, dim), ls = Softmax.logSoftmax(x, dim);
            int[] shape = x.shape();
            for (int i = 0; i < shape[0]; i++) {
                for (int j = 0; j < shape[1]; j++) {
                    for (int k = 0; k < shape[2]; k++) {
                        int[] idx = {i, j, k};
                        double denom = 0;
                        for (int t = 0; t < shape[dim]; t++) {
                            int[] o = idx.clone();
                            o[dim] = t;
                            denom += Math.exp(x.get(o));
                        }
                        assertEquals(Math.exp(x.get(idx)) / denom, s.get(idx), 1e-14);
                        assertEquals(x.get(idx) - Math.log(denom), ls.get(idx), 1e-14);
                    }
                }
            }
        }
    }

    @Test
    void softmaxOfLargeLogitsStaysFinite() {
        Tensor x = Tensor.of(new double[] {1000, 1001, 1002, -1000, -1001, -1002}, 2, 3);
        double z = 1 + Math.E + Math.E * Math.E;
        assertArrayEquals(new double[] {1 / z, Math.E / z, Math.E * Math.E / z, Math.E * Math.E / z, Math.E / z, 1 / z},
                Softmax.softmax(x, 1).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {-Math.log(z), 1 - Math.log(z), 2 - Math.log(z), 2 - Math.log(z), 1 - Math.log(z), -Math.log(z)},
                Softmax.logSoftmax(x, 1).toDoubleArray(), 1e-12);
        // float32, where exp(1000) would overflow long before.
        float[] s = Softmax.softmax(x.to(DType.FLOAT32), 1).toFloatArray();
        for (float v : s) assertTrue(Float.isFinite(v));
        assertEquals(Math.E * Math.E / z, s[2], 1e-6);
    }

    // ---------------------------------------------------------------- cross-entropy

    /** -mean log softmax[target], with smoothing eps: (1 - eps) * nll + eps * mean over classes of -log p. */
    private static double naiveCrossEntropy(double[][] logits, int[] targets, double eps) {
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            double z = 0;
            for (double v : logits[i]) z += Math.exp(v);
            double nll = -(logits[i][targets[i]] - Math.log(z)), uniform = 0;
            for (double v : logits[i]) uniform += -(v - Math.log(z));
            total += (1 - eps) * nll + eps * uniform / logits[i].length;
        }
        return total / logits.length;
    }

    @Test
    void crossEntropyGradient() {
        int[] targets = {2, 0, 4, 1};
        Tensor logits = GradCheck.param(151, 4, 5);
        GradCheck.check("cross-entropy", in -> Losses.crossEntropy(in.get(0), targets, 0), logits);
        GradCheck.check("cross-entropy, smoothing 0.1", in -> Losses.crossEntropy(in.get(0), targets, 0.1), logits);
        GradCheck.check("cross-entropy, smoothing 1", in -> Losses.crossEntropy(in.get(0), targets, 1), logits);
        // As the end of a longer chain, so the incoming gradient is not 1.
        GradCheck.check("3 * cross-entropy(tanh(x))", in -> Losses.crossEntropy(in.get(0).tanh(), targets, 0.2).mul(3), logits);
    }

    @Test
    void crossEntropyValues() {
        double[][] l = {{0.5, -1, 2, 0.1, 0}, {3, 1, -2, 0, 0.3}, {-0.7, 0.2, 0.9, 1.1, -1.5}};
        int[] targets = {2, 0, 4};
        Tensor logits = Tensor.of(new double[] {0.5, -1, 2, 0.1, 0, 3, 1, -2, 0, 0.3, -0.7, 0.2, 0.9, 1.1, -1.5}, 3, 5);
        for (double eps : new double[] {0, 0.1, 0.35}) {
            assertEquals(naiveCrossEntropy(l, targets, eps), Losses.crossEntropy(logits, targets, eps).item(), 1e-14, "smoothing " + eps);
        }
    }

    @Test
    void crossEntropyOfExtremeLogitsStaysFiniteAndCorrect() {
        Tensor logits = Tensor.of(new double[] {1000, -1000, 0}, 1, 3).requiresGrad(true);
        assertEquals(0, Losses.crossEntropy(logits, new int[] {0}, 0).item(), 1e-12);
        assertEquals(2000, Losses.crossEntropy(logits, new int[] {1}, 0).item(), 1e-9);
        assertEquals(1000, Losses.crossEntropy(logits, new int[] {2}, 0).item(), 1e-9);
        // Smoothing 0.1 on target 0: 0.9 * 0 + 0.1 * (0 + 2000 + 1000) / 3 = 100.
        assertEquals(100, Losses.crossEntropy(logits, new int[] {0}, 0.1).item(), 1e-9);
        // Gradient = softmax - onehot = [1, 0, 0] - [0, 0, 1].
        Losses.crossEntropy(logits, new int[] {2}, 0).backward();
        assertArrayEquals(new double[] {1, 0, -1}, logits.grad().toDoubleArray(), 1e-12);
        // The same in float32.
        Tensor f = Tensor.of(new float[] {1000, -1000, 0}, 1, 3);
        assertEquals(1000f, Losses.crossEntropy(f, new int[] {2}, 0).item(), 1e-3);
    }

    @Test
    void crossEntropyErrors() {
        Tensor logits = Tensor.zeros(2, 3);
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[] {0}, 0));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[] {0, 3}, 0));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, new int[] {0, -1}, 0));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(Tensor.zeros(6), new int[] {0}, 0));
    }

    // ---------------------------------------------------------------- dropout

    @Test
    void dropoutGradientIsTheMask() {
        double p = 0.3;
        Tensor x = GradCheck.awayFromZero(161, 0.1, 2, 4, 50);
        // With a fixed seed on every call the mask is fixed, so dropout is a smooth function to check.
        GradCheck.check("dropout", in -> Activations.dropout(in.get(0), p, true, new Rng(9)), x);

        Tensor y = Activations.dropout(x, p, true, new Rng(9));
        y.backward(Tensor.of(filled(200, 1.0), 4, 50));
        double[] out = y.toDoubleArray(), in = x.toDoubleArray(), g = x.grad().toDoubleArray();
        int dropped = 0;
        for (int i = 0; i < g.length; i++) {
            double mask = out[i] / in[i];
            assertTrue(Math.abs(mask) < 1e-12 || Math.abs(mask - 1 / (1 - p)) < 1e-12, "mask value " + mask);
            assertEquals(mask, g[i], 1e-12, "gradient equals the mask at " + i);
            if (g[i] == 0) dropped++;
        }
        // About 30% of 200 dropped; 30 to 90 is far beyond any plausible fluctuation.
        assertTrue(dropped > 30 && dropped < 90, dropped + " of 200 dropped");
        // The same seed gives the same mask; another seed a different one.
        assertArrayEquals(out, Activations.dropout(x.detach(), p, true, new Rng(9)).toDoubleArray(), 0.0);
        assertTrue(!java.util.Arrays.equals(out, Activations.dropout(x.detach(), p, true, new Rng(10)).toDoubleArray()));
    }

    @Test
    void dropoutInEvalModeIsTheIdentity() {
        Tensor x = GradCheck.param(162, 3, 4);
        Tensor y = Activations.dropout(x, 0.5, false, new Rng(1));
        assertArrayEquals(x.toDoubleArray(), y.toDoubleArray(), 0.0);
        y.sum().backward();
        assertArrayEquals(filled(12, 1.0), x.grad().toDoubleArray(), 0.0);
        assertSame(x, Activations.dropout(x, 0, true, new Rng(1)), "p = 0 is the identity too");
        assertThrows(IllegalArgumentException.class, () -> Activations.dropout(x, 1, true, new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> Activations.dropout(x, -0.1, true, new Rng(1)));
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
