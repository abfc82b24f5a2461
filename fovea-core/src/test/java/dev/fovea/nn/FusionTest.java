package dev.fovea.nn;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FusionTest {

    private static Sequential model() {
        return new Sequential(
                new Conv2d(3, 8, 3, 1, 1), new BatchNorm2d(8), new ReLU(),
                new Sequential(new Conv2d(8, 8, 3, 2, 1, 1, 2, false), new BatchNorm2d(8)), new ReLU(),
                new Conv2d(8, 4, 1), new GlobalAvgPool2d(), new Flatten(), new Linear(4, 3));
    }

    @Test
    void foldedModelComputesTheSameInEvaluation() {
        Rng.manualSeed(5);
        Sequential m = model();
        Rng rng = new Rng(6);
        // Training-mode passes give the batch norms non-trivial running statistics; then make gamma/beta non-trivial.
        for (int i = 0; i < 4; i++) m.call(Tensor.randn(rng, 4, 3, 9, 9).mul(2).add(1));
        for (var e : m.namedParameters().entrySet()) {
            if (e.getKey().endsWith("1.weight") || e.getKey().endsWith("1.bias")) e.getValue().copyFrom(Tensor.randn(rng, e.getValue().shape()));
        }
        Tensor x = Tensor.randn(rng, 2, 3, 9, 9);
        float[] expected = m.predict(x).toFloatArray();
        Sequential f = Fusion.foldBatchNorm(m);
        float[] actual = f.predict(x).toFloatArray();
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-4 * (1 + Math.abs(expected[i])), "output " + i);
        assertTrue(f.namedModules().values().stream().noneMatch(mod -> mod instanceof BatchNorm2d), "every BatchNorm2d folded");
        assertEquals(expected.length, m.predict(x).toFloatArray().length);
        float[] again = m.predict(x).toFloatArray();
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], again[i], 0f, "folding must not change the original model");
    }
}
