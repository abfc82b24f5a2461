package dev.fovea.optim;

import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adam, AdamW and RMSprop against updates computed here from PyTorch's formulas, in float64, with the loss of
 * {@link SGDTest}: {@code sum(c * p) + 0.5 * sum(p^2)}, whose gradient {@code c + p} changes every step.
 */
class AdaptiveOptimizersTest {
    private static final double[] C = {0.5, -1.0, 2.0};
    private static final double[] P0 = {1.0, -2.0, 0.25};

    static Tensor param() {
        return Tensor.of(P0.clone(), 3).requiresGrad(true);
    }

    static void step(Optimizer opt, Tensor... ps) {
        opt.zeroGrad();
        for (Tensor p : ps) {
            Tensor c = Tensor.of(C.clone(), 3).to(p.dtype());
            p.mul(c).sum().add(p.square().sum().mul(0.5)).backward();
        }
        opt.step();
    }

    private static double[] grad(double[] p) {
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) g[i] = C[i] + p[i];
        return g;
    }

    /** PyTorch's Adam / AdamW loop in plain arithmetic, textbook form. */
    private static double[] adam(double lr, double b1, double b2, double eps, double wd, boolean amsgrad, boolean decoupled, int steps) {
        double[] p = P0.clone(), m = new double[3], v = new double[3], vmax = new double[3];
        for (int t = 1; t <= steps; t++) {
            double[] g = grad(p);
            for (int i = 0; i < 3; i++) {
                if (decoupled) p[i] = p[i] - lr * wd * p[i];
                else g[i] = g[i] + wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                vmax[i] = Math.max(vmax[i], v[i]);
                double mhat = m[i] / (1 - Math.pow(b1, t));
                double vhat = (amsgrad ? vmax[i] : v[i]) / (1 - Math.pow(b2, t));
                p[i] = p[i] - lr * mhat / (Math.sqrt(vhat) + eps);
            }
        }
        return p;
    }

    /** PyTorch's RMSprop loop in plain arithmetic. */
    private static double[] rmsprop(double lr, double alpha, double eps, double wd, double momentum, boolean centered, int steps) {
        double[] p = P0.clone(), s = new double[3], a = new double[3], b = new double[3];
        for (int t = 1; t <= steps; t++) {
            double[] g = grad(p);
            for (int i = 0; i < 3; i++) {
                g[i] += wd * p[i];
                s[i] = alpha * s[i] + (1 - alpha) * g[i] * g[i];
                double avg = s[i];
                if (centered) {
                    a[i] = alpha * a[i] + (1 - alpha) * g[i];
                    avg -= a[i] * a[i];
                }
                double d = Math.sqrt(avg) + eps;
                if (momentum > 0) {
                    b[i] = momentum * b[i] + g[i] / d;
                    p[i] -= lr * b[i];
                } else {
                    p[i] -= lr * g[i] / d;
                }
            }
        }
        return p;
    }

    @Test
    void adamFirstStepByHand() {
        Tensor p = param();
        Adam opt = new Adam(List.of(p), 0.1);
        step(opt, p);
        // t = 1: m = 0.1 g, v = 0.001 g^2; bias-corrected they are g and g^2, so the step is lr * g / (|g| + eps).
        double eps = 1e-8;
        assertArrayEquals(new double[] {1 - 0.1 * 1.5 / (1.5 + eps), -2 + 0.1 * 3 / (3 + eps), 0.25 - 0.1 * 2.25 / (2.25 + eps)}, p.toDoubleArray(), 1e-15);
        // t = 2: g2 = c + p1, about (1.4, -2.9, 2.15) at p1 = (0.9, -1.9, 0.15).
        double[] g1 = {1.5, -3, 2.25}, p1 = p.toDoubleArray(), g2 = grad(p1), want = new double[3];
        for (int i = 0; i < 3; i++) {
            double m = 0.9 * 0.1 * g1[i] + 0.1 * g2[i];
            double v = 0.999 * 0.001 * g1[i] * g1[i] + 0.001 * g2[i] * g2[i];
            want[i] = p1[i] - 0.1 / (1 - 0.81) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 * 0.999) + eps);
        }
        step(opt, p);
        assertArrayEquals(want, p.toDoubleArray(), 1e-14);
        step(opt, p);
        assertArrayEquals(adam(0.1, 0.9, 0.999, 1e-8, 0, false, false, 3), p.toDoubleArray(), 1e-14);
    }

    @Test
    void adamWithL2WeightDecayAndAmsgrad() {
        Tensor p = param();
        Adam opt = new Adam(List.of(p), 0.05, 0.8, 0.99, 1e-6, 0.1, false);
        for (int i = 0; i < 3; i++) step(opt, p);
        assertArrayEquals(adam(0.05, 0.8, 0.99, 1e-6, 0.1, false, false, 3), p.toDoubleArray(), 1e-14);

        Tensor q = param();
        Adam ams = new Adam(List.of(q), 0.05, 0.8, 0.99, 1e-6, 0.1, true);
        for (int i = 0; i < 3; i++) step(ams, q);
        assertArrayEquals(adam(0.05, 0.8, 0.99, 1e-6, 0.1, true, false, 3), q.toDoubleArray(), 1e-14);
        // Large eps makes the outside-the-root placement matter: sqrt(v_hat) + eps, not sqrt(v_hat + eps).
        Tensor r = param();
        Adam bigEps = new Adam(List.of(r), 0.1, 0.9, 0.999, 1.0, 0, false);
        step(bigEps, r);
        assertEquals(1 - 0.1 * 1.5 / (1.5 + 1.0), r.toDoubleArray()[0], 1e-15);
    }

    @Test
    void adamWDecaysBeforeTheAdamStep() {
        Tensor p = param();
        AdamW opt = new AdamW(List.of(p), 0.1, 0.9, 0.999, 1e-8, 0.5, false);
        step(opt, p);
        // p = p * (1 - 0.1 * 0.5), then the first Adam step lr * g / (|g| + eps) with g taken at the old p.
        double eps = 1e-8;
        assertArrayEquals(new double[] {0.95 - 0.1 * 1.5 / (1.5 + eps), -1.9 + 0.1 * 3 / (3 + eps), 0.2375 - 0.1 * 2.25 / (2.25 + eps)},
                p.toDoubleArray(), 1e-15);
        step(opt, p);
        step(opt, p);
        assertArrayEquals(adam(0.1, 0.9, 0.999, 1e-8, 0.5, false, true, 3), p.toDoubleArray(), 1e-14);
        // PyTorch's AdamW default decay is 0.01, and it differs from Adam's L2 penalty.
        Tensor q = param();
        AdamW def = new AdamW(List.of(q), 0.1);
        for (int i = 0; i < 3; i++) step(def, q);
        assertArrayEquals(adam(0.1, 0.9, 0.999, 1e-8, 0.01, false, true, 3), q.toDoubleArray(), 1e-14);
        assertTrue(Math.abs(adam(0.1, 0.9, 0.999, 1e-8, 0.5, false, false, 3)[0] - p.toDoubleArray()[0]) > 1e-3);
    }

    @Test
    void rmspropFirstStepByHand() {
        Tensor p = param();
        RMSprop opt = new RMSprop(List.of(p), 0.01);
        step(opt, p);
        // s = 0.01 g^2, so the denominator is 0.1 |g| + eps: the first step is about 10 lr sign(g).
        double eps = 1e-8;
        assertArrayEquals(new double[] {1 - 0.01 * 1.5 / (0.15 + eps), -2 + 0.01 * 3 / (0.3 + eps), 0.25 - 0.01 * 2.25 / (0.225 + eps)},
                p.toDoubleArray(), 1e-15);
        step(opt, p);
        step(opt, p);
        assertArrayEquals(rmsprop(0.01, 0.99, 1e-8, 0, 0, false, 3), p.toDoubleArray(), 1e-14);
    }

    @Test
    void rmspropCenteredWithMomentumAndDecay() {
        Tensor p = param();
        RMSprop opt = new RMSprop(List.of(p), 0.01, 0.9, 1e-8, 0.05, 0.9, true);
        step(opt, p);
        // Centered, first step: s - a^2 = 0.1 g^2 - 0.01 g^2 = 0.09 g^2 (g with decay), so d = 0.3 |g| + eps; b = g / d.
        double g0 = 1.5 + 0.05;
        assertEquals(1 - 0.01 * g0 / (0.3 * g0 + 1e-8), p.toDoubleArray()[0], 1e-15);
        step(opt, p);
        step(opt, p);
        assertArrayEquals(rmsprop(0.01, 0.9, 1e-8, 0.05, 0.9, true, 3), p.toDoubleArray(), 1e-14);
        Tensor q = param();
        RMSprop plainMomentum = new RMSprop(List.of(q), 0.02, 0.99, 1e-8, 0, 0.5, false);
        for (int i = 0; i < 3; i++) step(plainMomentum, q);
        assertArrayEquals(rmsprop(0.02, 0.99, 1e-8, 0, 0.5, false, 3), q.toDoubleArray(), 1e-14);
    }

    @Test
    void float32ParametersFollowTheSameRules() {
        Tensor p = Tensor.of(new float[] {1f, -2f, 0.25f}, 3).requiresGrad(true);
        Adam opt = new Adam(List.of(p), 0.1);
        for (int i = 0; i < 3; i++) step(opt, p);
        double[] want = adam(0.1, 0.9, 0.999, 1e-8, 0, false, false, 3);
        float[] got = p.toFloatArray();
        for (int i = 0; i < 3; i++) assertEquals(want[i], got[i], 1e-5);
    }

    @Test
    void frozenAndUnusedParametersAreLeftAlone() {
        Tensor used = param();
        Tensor frozen = Tensor.of(new double[] {3, 4}, 2).requiresGrad(false);
        for (Optimizer opt : List.of(new Adam(List.of(used, frozen), 0.1, 0.9, 0.999, 1e-8, 0.5, false),
                new AdamW(List.of(used, frozen), 0.1), new RMSprop(List.of(used, frozen), 0.1, 0.99, 1e-8, 0.5, 0.9, true))) {
            step(opt, used);
            assertArrayEquals(new double[] {3, 4}, frozen.toDoubleArray(), opt.typeName());
            assertTrue(opt.exportState().tensors().keySet().stream().allMatch(k -> k.startsWith("0.")), opt.typeName());
        }
    }

    @Test
    void invalidHyperparametersAreRejected() {
        List<Tensor> ps = List.of(param());
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 0.1, 1.0, 0.999, 1e-8, 0, false));
        assertTrue(e.getMessage().contains("beta1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, 0.1, 0.9, -0.1, 1e-8, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, 0.1, 0.9, 0.999, 1e-8, -0.01, false));
        e = assertThrows(IllegalArgumentException.class, () -> new RMSprop(ps, 0.1, 1.5, 1e-8, 0, 0, false));
        assertTrue(e.getMessage().contains("alpha"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RMSprop(ps, 0.1, 0.99, 1e-8, 0, -0.9, false));
    }
}
