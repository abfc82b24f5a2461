package dev.fovea.train;

import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.AnomalyException;
import dev.fovea.tensor.Autograd;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer's gradient clipping and its report of anomalies. */
class ClippingAndAnomalyTrainingTest {
    private static Module model() {
        Rng.manualSeed(5);
        return new Sequential(new Flatten(), new Linear(16, 8), new ReLU(), new Linear(8, 3));
    }

    /** One epoch of one full batch with plain SGD at lr 1: the weights move by exactly minus the clipped gradient. */
    @Test
    void clipNormBoundsTheStepAsPyTorchWould() {
        Blobs data = new Blobs(32, 3, 1);
        Module free = model(), clipped = model();
        Map<String, Tensor> start = copy(free);
        new Trainer(free, new SGD(free.parameters(), 1.0), new CrossEntropyLoss()).output(null).fit(data, null, 1, 32, 3);
        new Trainer(clipped, new SGD(clipped.parameters(), 1.0), new CrossEntropyLoss()).output(null).clipGradNorm(0.01).fit(data, null, 1, 32, 3);
        double freeNorm = stepNorm(start, free), clippedNorm = stepNorm(start, clipped);
        assertTrue(freeNorm > 0.05, "the unclipped step is large: " + freeNorm);
        assertEquals(0.01 * freeNorm / (freeNorm + 1e-6), clippedNorm, 1e-6);
        // Same direction: the clipped step is the free step scaled.
        for (String k : start.keySet()) {
            float[] a = free.stateDict().get(k).toFloatArray(), b = clipped.stateDict().get(k).toFloatArray(), s = start.get(k).toFloatArray();
            for (int i = 0; i < a.length; i++) assertEquals((a[i] - s[i]) * clippedNorm / freeNorm, b[i] - s[i], 1e-6);
        }
    }

    @Test
    void clipValueBoundsEveryElementOfTheStep() {
        Blobs data = new Blobs(32, 3, 1);
        Module m = model();
        Map<String, Tensor> start = copy(m);
        new Trainer(m, new SGD(m.parameters(), 1.0), new CrossEntropyLoss()).output(null).clipGradValue(1e-3).fit(data, null, 1, 32, 3);
        int atBound = 0;
        for (String k : start.keySet()) {
            float[] a = m.stateDict().get(k).toFloatArray(), s = start.get(k).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                float d = Math.abs(a[i] - s[i]);
                assertTrue(d <= 1e-3 + 1e-6, k + "[" + i + "] moved by " + d);
                if (d > 0.9e-3) atBound++;
            }
        }
        assertTrue(atBound > 10, "many elements were clipped: " + atBound);
    }

    @Test
    void anomalyNamesTheStepTheLayerAndTheOp() {
        Blobs data = new Blobs(64, 3, 1);
        Module m = model();
        // Weights so large that the second layer's output overflows once ReLU lets values through.
        m.namedParameters().get("3.weight").copyFrom(Tensor.full(1e38, 3, 8));
        Autograd.detectAnomaly(true);
        try {
            AnomalyException e = assertThrows(AnomalyException.class,
                    () -> new Trainer(m, new SGD(m.parameters(), 0.1), new CrossEntropyLoss()).output(null).fit(data, null, 1, 16, 3));
            assertEquals("epoch 1, step 1 of 4", e.step());
            assertEquals("3", e.layerPath());
            assertEquals("Linear", e.layerType());
            assertTrue(e.getMessage().startsWith("epoch 1, step 1 of 4: the forward of '"), e.getMessage());
        } finally {
            Autograd.detectAnomaly(false);
        }
    }

    private static Map<String, Tensor> copy(Module m) {
        Map<String, Tensor> c = new java.util.LinkedHashMap<>();
        for (var e : m.stateDict().entrySet()) c.put(e.getKey(), e.getValue().copy());
        return c;
    }

    private static double stepNorm(Map<String, Tensor> start, Module m) {
        double s = 0;
        for (String k : start.keySet()) {
            float[] a = m.stateDict().get(k).toFloatArray(), b = start.get(k).toFloatArray();
            for (int i = 0; i < a.length; i++) s += (double) (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

}
