package dev.fovea.models;

import dev.fovea.io.ModelFile;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Module;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks every zoo model goes through: a training step, a model-file round trip. */
final class ModelChecks {
    private ModelChecks() {}

    /**
     * One SGD step on a fixed batch in training mode: every parameter gets a finite gradient (all but a few a nonzero
     * one), and the loss on the batch, measured in evaluation mode before and after, changes. Returns the two losses.
     */
    static double[] trainingStepChangesLoss(Module model, Tensor x, int[] targets) {
        return trainingStepChangesLoss(model, x, targets, (m, in) -> new CrossEntropyLoss().forward(m.call(in), targets));
    }

    static double[] trainingStepChangesLoss(Module model, Tensor x, int[] targets, BiFunction<Module, Tensor, Tensor> trainingLoss) {
        CrossEntropyLoss ce = new CrossEntropyLoss();
        double before = ce.forward(model.predict(x), targets).item();
        model.train();
        SGD sgd = new SGD(model.parameters(), 0.01);
        sgd.zeroGrad();
        Tensor loss = trainingLoss.apply(model, x);
        assertTrue(Double.isFinite(loss.item()), "training loss " + loss.item());
        loss.backward();
        int zero = 0, total = 0;
        for (var e : model.namedParameters().entrySet()) {
            Tensor g = e.getValue().grad();
            assertNotNull(g, e.getKey() + " has no gradient");
            double max = 0;
            for (float v : g.toFloatArray()) {
                assertTrue(Float.isFinite(v), e.getKey() + ": non-finite gradient");
                max = Math.max(max, Math.abs(v));
            }
            total++;
            if (max == 0) zero++;
        }
        assertTrue(zero <= total / 20, zero + " of " + total + " parameter tensors got an all-zero gradient");
        sgd.step();
        double after = ce.forward(model.predict(x), targets).item();
        assertTrue(Double.isFinite(after), "loss after the step " + after);
        assertNotEquals(before, after, "one training step changes the loss");
        sgd.zeroGrad();
        return new double[] {before, after};
    }

    /** Saves and loads {@code model}: same type and config, same tensors, same predictions on {@code probe}. */
    static Module roundTrip(Module model, Path file, Tensor probe) throws IOException {
        ModelFile.save(file, model, Map.of());
        Module back = ModelFile.load(file).model();
        assertEquals(model.getClass(), back.getClass());
        assertEquals(plain(model.config()), plain(back.config()));
        Map<String, Tensor> a = model.stateDict(), b = back.stateDict();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
        assertArrayEquals(model.predict(probe).toFloatArray(), back.predict(probe).toFloatArray());
        return back;
    }

    /** A config with int arrays as lists, so that equal configs compare equal. */
    static Map<String, Object> plain(Map<String, Object> config) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        config.forEach((k, v) -> out.put(k, v instanceof int[] a ? java.util.Arrays.stream(a).boxed().toList() : v));
        return out;
    }

    static Tensor images(long seed, int... shape) {
        return Tensor.randn(new Rng(seed), shape);
    }

    /** Asserts {@code actual} is within {@code fraction} of {@code reference}. */
    static void near(double reference, double actual, double fraction, String what) {
        assertTrue(Math.abs(actual - reference) <= fraction * reference, what + ": " + actual + " is not within " + fraction * 100 + "% of " + reference);
    }
}
