package dev.fovea.optim;

import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Momentum and weight decay changed between steps act from the next step on, as in PyTorch's param_groups. */
class HyperparameterChangeTest {

    /** d/dp of sum(c * p) is c: a fixed gradient makes the updates easy to write down. */
    private static void step(Optimizer o, Tensor p, double[] c) {
        o.zeroGrad();
        p.mul(Tensor.of(c.clone(), c.length)).sum().backward();
        o.step();
    }

    @Test
    void sgdMomentumAndWeightDecayChangeBetweenSteps() {
        double[] c = {0.5, -1.0};
        Tensor p = Tensor.of(new double[] {1.0, -2.0}, 2).requiresGrad(true);
        SGD sgd = new SGD(List.of(p), 0.1, 0.9, 0.0, false);
        step(sgd, p, c);                     // v = g; p -= 0.1 v
        double[] v = c.clone();
        double[] expected = {1.0 - 0.1 * v[0], -2.0 - 0.1 * v[1]};
        sgd.setMomentum(0.5);
        sgd.setWeightDecay(0.01);
        assertEquals(0.5, sgd.momentum());
        assertEquals(0.01, sgd.weightDecay());
        step(sgd, p, c);
        for (int i = 0; i < 2; i++) {
            double g = c[i] + 0.01 * expected[i];
            v[i] = 0.5 * v[i] + g;
            expected[i] -= 0.1 * v[i];
            assertEquals(expected[i], p.get(i), 1e-12);
        }
        // Off and on again: the buffer is kept while momentum is 0, and used again when it rises.
        sgd.setMomentum(0);
        step(sgd, p, c);
        for (int i = 0; i < 2; i++) expected[i] -= 0.1 * (c[i] + 0.01 * expected[i]);
        assertEquals(expected[0], p.get(0), 1e-12);
        assertEquals(expected[1], p.get(1), 1e-12);
        assertTrue(sgd.exportState().tensors().containsKey("0.momentum_buffer"));
    }

    @Test
    void refusals() {
        Tensor p = Tensor.of(new double[] {1.0}, 1).requiresGrad(true);
        SGD nesterov = new SGD(List.of(p), 0.1, 0.9, 0, true);
        assertThrows(IllegalArgumentException.class, () -> nesterov.setMomentum(0));
        assertThrows(IllegalArgumentException.class, () -> nesterov.setWeightDecay(-1));
        Adam adam = new Adam(List.of(p), 0.001);
        assertTrue(Double.isNaN(adam.momentum()));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> adam.setMomentum(0.5));
        assertEquals("adam has no momentum", e.getMessage());
        adam.setWeightDecay(0.1);
        assertEquals(0.1, adam.weightDecay());
        RMSprop rms = new RMSprop(List.of(p), 0.01);
        rms.setMomentum(0.9);
        assertEquals(0.9, rms.momentum());
    }

    @Test
    void adamWeightDecayChangeActsOnTheNextStep() {
        double[] c = {0.3};
        Tensor a = Tensor.of(new double[] {1.0}, 1).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {1.0}, 1).requiresGrad(true);
        AdamW changed = new AdamW(List.of(a), 0.01, 0.9, 0.999, 1e-8, 0.0, false);
        AdamW fixed = new AdamW(List.of(b), 0.01, 0.9, 0.999, 1e-8, 0.0, false);
        step(changed, a, c);
        step(fixed, b, c);
        assertEquals(b.get(0), a.get(0), 0);
        double w1 = a.get(0);
        changed.setWeightDecay(0.5);
        step(changed, a, c);
        step(fixed, b, c);
        // Decoupled decay multiplies the weight by (1 - lr * wd) before the Adam step, which is the same for both.
        assertEquals(w1 * 0.01 * 0.5, b.get(0) - a.get(0), 1e-12);
    }
}
