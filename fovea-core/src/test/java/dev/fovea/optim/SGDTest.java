package dev.fovea.optim;

import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Linear;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.DType;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SGD against updates computed here from PyTorch's formulas, and a tiny end-to-end fit. */
class SGDTest {

    private static final double[] C = {0.5, -1.0, 2.0};
    private static final double[] P0 = {1.0, -2.0, 0.25};

    private static Tensor param() {
        return Tensor.of(P0.clone(), 3).requiresGrad(true);
    }

    /** loss = sum(c * p) + 0.5 * sum(p^2), so that grad = c + p changes from step to step. */
    private static void backward(Tensor p) {
        Tensor c = Tensor.of(C.clone(), 3).to(p.dtype());
        p.mul(c).sum().add(p.square().sum().mul(0.5)).backward();
    }

    private static void step(Optimizer opt, Tensor p) {
        opt.zeroGrad();
        backward(p);
        opt.step();
    }

    private static double[] grad(double[] p) {
        double[] g = new double[p.length];
        for (int i = 0; i < p.length; i++) g[i] = C[i] + p[i];
        return g;
    }

    @Test
    void gradientOfTheTestLossIsWhatTheFormulasAssume() {
        Tensor p = param();
        backward(p);
        assertArrayEquals(grad(P0), p.grad().toDoubleArray(), 1e-15);
        assertEquals(DType.FLOAT64, p.grad().dtype());
    }

    @Test
    void plainSgdByHand() {
        Tensor p = param();
        SGD opt = new SGD(List.of(p), 0.1);
        step(opt, p);
        // grad = (1.5, -3, 2.25): p - 0.1 * grad.
        assertArrayEquals(new double[] {0.85, -1.7, 0.025}, p.toDoubleArray(), 1e-12);
        step(opt, p);
        // grad = (1.35, -2.7, 2.025).
        assertArrayEquals(new double[] {0.715, -1.43, -0.1775}, p.toDoubleArray(), 1e-12);
    }

    /** Runs three steps of PyTorch's SGD in plain arithmetic. */
    private static double[] expected(double lr, double momentum, double dampening, double wd, boolean nesterov, int steps) {
        double[] p = P0.clone(), v = new double[3];
        for (int s = 0; s < steps; s++) {
            double[] g = grad(p);
            for (int i = 0; i < 3; i++) {
                double d = g[i] + wd * p[i];
                if (momentum != 0) {
                    v[i] = s == 0 ? d : momentum * v[i] + (1 - dampening) * d;
                    d = nesterov ? d + momentum * v[i] : v[i];
                }
                p[i] -= lr * d;
            }
        }
        return p;
    }

    @Test
    void momentumByHand() {
        Tensor p = param();
        SGD opt = new SGD(List.of(p), 0.1, 0.9, 0, false);
        step(opt, p);
        // First step: v = g = (1.5, -3, 2.25), like plain SGD.
        assertArrayEquals(new double[] {0.85, -1.7, 0.025}, p.toDoubleArray(), 1e-12);
        step(opt, p);
        // g = (1.35, -2.7, 2.025); v = 0.9 * (1.5, -3, 2.25) + g = (2.7, -5.4, 4.05).
        assertArrayEquals(new double[] {0.85 - 0.27, -1.7 + 0.54, 0.025 - 0.405}, p.toDoubleArray(), 1e-12);
        step(opt, p);
        assertArrayEquals(expected(0.1, 0.9, 0, 0, false, 3), p.toDoubleArray(), 1e-12);
    }

    @Test
    void dampeningAppliesAfterTheFirstStep() {
        Tensor p = param();
        SGD opt = new SGD(List.of(p), 0.05, 0.8, 0.5, 0, false);
        step(opt, p);
        // First step undamped: v = g.
        assertArrayEquals(new double[] {1 - 0.05 * 1.5, -2 + 0.05 * 3, 0.25 - 0.05 * 2.25}, p.toDoubleArray(), 1e-12);
        step(opt, p);
        step(opt, p);
        assertArrayEquals(expected(0.05, 0.8, 0.5, 0, false, 3), p.toDoubleArray(), 1e-12);
        // And dampening makes a difference.
        double[] undamped = expected(0.05, 0.8, 0, 0, false, 3);
        assertTrue(Math.abs(undamped[0] - p.toDoubleArray()[0]) > 1e-3);
    }

    @Test
    void weightDecayAddsToTheGradient() {
        Tensor p = param();
        SGD opt = new SGD(List.of(p), 0.1, 0, 0.01, false);
        step(opt, p);
        // d = g + 0.01 * p = (1.5 + 0.01, -3 - 0.02, 2.25 + 0.0025).
        assertArrayEquals(new double[] {1 - 0.151, -2 + 0.302, 0.25 - 0.22525}, p.toDoubleArray(), 1e-12);
        step(opt, p);
        assertArrayEquals(expected(0.1, 0, 0, 0.01, false, 2), p.toDoubleArray(), 1e-12);

        Tensor q = param();
        SGD withMomentum = new SGD(List.of(q), 0.1, 0.9, 0.05, false);
        for (int i = 0; i < 3; i++) step(withMomentum, q);
        assertArrayEquals(expected(0.1, 0.9, 0, 0.05, false, 3), q.toDoubleArray(), 1e-12);
    }

    @Test
    void nesterovByHand() {
        Tensor p = param();
        SGD opt = new SGD(List.of(p), 0.1, 0.9, 0, true);
        step(opt, p);
        // First step: v = g, update with g + 0.9 v = 1.9 g.
        assertArrayEquals(new double[] {1 - 0.19 * 1.5, -2 + 0.19 * 3, 0.25 - 0.19 * 2.25}, p.toDoubleArray(), 1e-12);
        step(opt, p);
        step(opt, p);
        assertArrayEquals(expected(0.1, 0.9, 0, 0, true, 3), p.toDoubleArray(), 1e-12);
        Tensor q = param();
        SGD nd = new SGD(List.of(q), 0.1, 0.9, 0.01, true);
        for (int i = 0; i < 3; i++) step(nd, q);
        assertArrayEquals(expected(0.1, 0.9, 0, 0.01, true, 3), q.toDoubleArray(), 1e-12);
    }

    @Test
    void float32ParametersToo() {
        Tensor p = Tensor.of(new float[] {1f, -2f, 0.25f}, 3).requiresGrad(true);
        SGD opt = new SGD(List.of(p), 0.1, 0.9, 0, false);
        for (int i = 0; i < 3; i++) step(opt, p);
        double[] e = expected(0.1, 0.9, 0, 0, false, 3);
        float[] got = p.toFloatArray();
        for (int i = 0; i < 3; i++) assertEquals(e[i], got[i], 1e-5);
    }

    @Test
    void parametersWithoutGradientAreLeftAlone() {
        Tensor used = param();
        Tensor unused = Tensor.of(new double[] {3, 4}, 2).requiresGrad(true);
        SGD opt = new SGD(List.of(used, unused), 0.1, 0.9, 0.5, false);
        step(opt, used);
        step(opt, used);
        assertNull(unused.grad());
        assertArrayEquals(new double[] {3, 4}, unused.toDoubleArray());
        assertArrayEquals(expected(0.1, 0.9, 0, 0.5, false, 2), used.toDoubleArray(), 1e-12);
    }

    @Test
    void zeroGradClearsEveryGradient() {
        Tensor a = param(), b = param();
        SGD opt = new SGD(List.of(a, b), 0.1);
        backward(a);
        backward(b);
        backward(b);
        // Gradients accumulate until cleared.
        assertArrayEquals(new double[] {3, -6, 4.5}, b.grad().toDoubleArray(), 1e-12);
        assertNotNull(a.grad());
        opt.zeroGrad();
        assertNull(a.grad());
        assertNull(b.grad());
        // A step with no gradients changes nothing.
        opt.step();
        assertArrayEquals(P0, a.toDoubleArray());
    }

    @Test
    void learningRateCanChange() {
        Tensor p = param();
        SGD opt = new SGD(List.of(p), 0.1);
        assertEquals(0.1, opt.learningRate());
        opt.setLearningRate(0.5);
        assertEquals(0.5, opt.learningRate());
        step(opt, p);
        assertArrayEquals(new double[] {1 - 0.75, -2 + 1.5, 0.25 - 1.125}, p.toDoubleArray(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> opt.setLearningRate(-0.1));
        assertThrows(IllegalArgumentException.class, () -> opt.setLearningRate(Double.NaN));
        assertEquals(0.5, opt.learningRate());
    }

    @Test
    void invalidArgumentsAreRejected() {
        List<Tensor> ps = List.of(param());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SGD(ps, -0.01));
        assertTrue(e.getMessage().contains("-0.01"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SGD(ps, Double.NaN));
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1, -0.9, 0, false));
        assertTrue(e.getMessage().contains("momentum"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1, 0.9, -1e-4, false));
        assertTrue(e.getMessage().contains("weight decay"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1, 0, 0, true));
        assertTrue(e.getMessage().contains("Nesterov"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1, 0.9, 0.1, 0, true));
    }

    @Test
    void smallMlpLearnsTwoBlobs() {
        // Two Gaussian blobs around (+1.5, +1.5) and (-1.5, -1.5), 100 points each.
        Rng data = new Rng(2024);
        int n = 200;
        float[] xs = new float[2 * n];
        int[] ys = new int[n];
        for (int i = 0; i < n; i++) {
            ys[i] = i % 2;
            double c = ys[i] == 1 ? 1.5 : -1.5;
            xs[2 * i] = (float) (c + 0.7 * data.nextGaussian());
            xs[2 * i + 1] = (float) (c + 0.7 * data.nextGaussian());
        }
        Tensor x = Tensor.of(xs, n, 2);

        Rng.manualSeed(5);
        Sequential net = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 2));
        // A zero output layer starts every prediction at 50/50, so the first loss is exactly ln 2.
        ((Linear) net.get(2)).weight().copyFrom(Tensor.zeros(2, 8));
        SGD opt = new SGD(net.parameters(), 0.1, 0.9, 0, false);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        double first = Double.NaN, last = Double.NaN;
        for (int it = 0; it < 60; it++) {
            opt.zeroGrad();
            Tensor loss = ce.forward(net.forward(x), ys);
            if (it == 0) first = loss.item();
            last = loss.item();
            loss.backward();
            opt.step();
        }
        assertEquals(Math.log(2), first, 1e-6);
        assertTrue(last < 0.15 * first, "loss went from " + first + " to only " + last);
        int[] pred = net.predict(x).argmax(1);
        int right = 0;
        for (int i = 0; i < n; i++) if (pred[i] == ys[i]) right++;
        assertTrue(right >= 0.95 * n, "accuracy " + right + "/" + n);
    }
}
