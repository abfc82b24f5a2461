package dev.fovea.nn;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Module bookkeeping: state dict names and order, parameters vs buffers, modes, strict loading, replacement, predict. */
class ModuleStateTest {

    /** conv(1->2, 3x3) . relu . bn2d(2) . flatten . linear(2*4*4 -> 3) for 1 x 6 x 6 inputs. */
    private static Sequential smallNet() {
        Rng.manualSeed(11);
        return new Sequential(new Conv2d(1, 2, 3), new ReLU(), new BatchNorm2d(2), new Flatten(), new Linear(32, 3));
    }

    private static Tensor randomInput(long seed, int... shape) {
        return Tensor.randn(new Rng(seed), shape);
    }

    @Test
    void stateDictNamesAndOrderFollowPyTorch() {
        Sequential net = smallNet();
        List<String> expected = List.of("0.weight", "0.bias",
                "2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked",
                "4.weight", "4.bias");
        assertEquals(expected, new ArrayList<>(net.stateDict().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"), new ArrayList<>(net.namedParameters().keySet()));
        assertEquals(List.of("2.running_mean", "2.running_var", "2.num_batches_tracked"), new ArrayList<>(net.namedBuffers().keySet()));

        Map<String, Tensor> sd = net.stateDict();
        assertArrayEquals(new int[] {2, 1, 3, 3}, sd.get("0.weight").shape());
        assertArrayEquals(new int[] {2}, sd.get("0.bias").shape());
        assertArrayEquals(new int[] {2}, sd.get("2.running_var").shape());
        assertArrayEquals(new int[] {3, 32}, sd.get("4.weight").shape());

        // The state dict holds the live tensors, not copies.
        assertSame(net.get(0).stateDict().get("weight"), sd.get("0.weight"));

        // Names nest with dots.
        Sequential outer = new Sequential(new Sequential(new Linear(2, 3), new ReLU()), new BatchNorm1d(3));
        assertEquals(List.of("0.0.weight", "0.0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"),
                new ArrayList<>(outer.stateDict().keySet()));
        assertEquals(List.of("", "0", "0.0", "0.1", "1"), new ArrayList<>(outer.namedModules().keySet()));
    }

    @Test
    void parametersAreTrainableAndBuffersAreNot() {
        Sequential net = smallNet();
        List<Tensor> params = net.parameters();
        assertEquals(6, params.size());
        for (Tensor p : params) assertTrue(p.requiresGrad());
        for (Tensor b : net.namedBuffers().values()) {
            assertFalse(b.requiresGrad());
            for (Tensor p : params) assertFalse(p == b, "a buffer is listed among the parameters");
        }
        // parameters() is in the same order as namedParameters() and holds the same tensors.
        List<Tensor> named = new ArrayList<>(net.namedParameters().values());
        for (int i = 0; i < params.size(); i++) assertSame(named.get(i), params.get(i));
        assertEquals(2 * 9 + 2 + 2 + 2 + 3 * 32 + 3, net.parameterCount());
        // Fresh buffers: mean 0, variance 1, no batches.
        assertArrayEquals(new float[] {0, 0}, net.stateDict().get("2.running_mean").toFloatArray());
        assertArrayEquals(new float[] {1, 1}, net.stateDict().get("2.running_var").toFloatArray());
        assertArrayEquals(new float[] {0}, net.stateDict().get("2.num_batches_tracked").toFloatArray());
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Sequential inner = new Sequential(new Dropout(0.5), new BatchNorm1d(4));
        Sequential net = new Sequential(new Linear(4, 4), inner, new ReLU());
        for (Module m : net.namedModules().values()) assertTrue(m.isTraining(), "modules start in training mode");
        assertSame(net, net.eval());
        for (var e : net.namedModules().entrySet()) assertFalse(e.getValue().isTraining(), "still training after eval(): " + e.getKey());
        assertSame(net, net.train());
        for (var e : net.namedModules().entrySet()) assertTrue(e.getValue().isTraining(), "not training after train(): " + e.getKey());
        net.train(false);
        assertFalse(inner.get(1).isTraining());
        // A child's mode can be set on its own, without touching the parent.
        net.train();
        inner.eval();
        assertTrue(net.isTraining());
        assertFalse(inner.get(0).isTraining());
    }

    /** A state dict with the given names and shapes whose every value is {@code fill}. */
    private static Map<String, Tensor> filled(Map<String, Tensor> like, double fill) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : like.entrySet()) out.put(e.getKey(), Tensor.full(fill, e.getValue().shape()));
        return out;
    }

    private static Map<String, float[]> snapshot(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var e : m.stateDict().entrySet()) out.put(e.getKey(), e.getValue().toFloatArray());
        return out;
    }

    private static void assertSameState(Map<String, float[]> before, Module m) {
        Map<String, float[]> after = snapshot(m);
        assertEquals(before.keySet(), after.keySet());
        for (String k : before.keySet()) assertArrayEquals(before.get(k), after.get(k), "changed: " + k);
    }

    @Test
    void loadStateDictCopiesEverythingWhenItFits() {
        Sequential net = smallNet();
        Map<String, Tensor> src = filled(net.stateDict(), 0.25);
        net.loadStateDict(src);
        for (var e : net.stateDict().entrySet()) {
            for (float v : e.getValue().toFloatArray()) assertEquals(0.25f, v, e.getKey());
        }
        // Copied, not aliased: changing the source later does not reach the model.
        src.get("4.bias").set(9, 0);
        assertEquals(0.25, net.stateDict().get("4.bias").get(0));
        assertFalse(net.stateDict().get("4.bias") == src.get("4.bias"));
        // Parameters stay trainable after a load.
        for (Tensor p : net.parameters()) assertTrue(p.requiresGrad());
    }

    @Test
    void loadStateDictIsStrictAndAtomic() {
        Sequential net = smallNet();
        Map<String, float[]> before = snapshot(net);

        Map<String, Tensor> missing = filled(net.stateDict(), 3);
        missing.remove("4.bias");
        missing.remove("2.running_var");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(missing));
        assertTrue(e.getMessage().contains("missing 4.bias"), e.getMessage());
        assertTrue(e.getMessage().contains("missing 2.running_var"), e.getMessage());
        assertSameState(before, net);

        Map<String, Tensor> extra = filled(net.stateDict(), 3);
        extra.put("5.weight", Tensor.zeros(2, 2));
        e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(extra));
        assertTrue(e.getMessage().contains("unexpected 5.weight"), e.getMessage());
        assertFalse(e.getMessage().contains("missing"), e.getMessage());
        assertSameState(before, net);

        Map<String, Tensor> wrongShape = filled(net.stateDict(), 3);
        wrongShape.put("0.weight", Tensor.zeros(2, 1, 2, 2));
        e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(wrongShape));
        assertTrue(e.getMessage().contains("0.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 1, 2, 2]"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 1, 3, 3]"), e.getMessage());
        assertSameState(before, net);

        // All three kinds at once are all reported.
        Map<String, Tensor> all = filled(net.stateDict(), 3);
        all.remove("0.bias");
        all.put("extra", Tensor.zeros(1));
        all.put("4.weight", Tensor.zeros(32, 3));
        e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(all));
        for (String s : List.of("missing 0.bias", "unexpected extra", "4.weight", "[32, 3]", "[3, 32]")) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
        }
        assertSameState(before, net);
    }

    @Test
    void replaceModuleKeepsThePlaceAndChangesTheComputation() {
        Rng.manualSeed(3);
        Sequential net = new Sequential(new Linear(4, 6), new ReLU(), new Linear(6, 2));
        Tensor x = randomInput(5, 8, 4);
        Tensor hidden = ((Linear) net.get(0)).forward(x);
        boolean anyNegative = false;
        for (float v : hidden.toFloatArray()) anyNegative |= v < 0;
        assertTrue(anyNegative, "test input should give some negative pre-activations");

        float[] withRelu = net.predict(x).toFloatArray();
        Tanh tanh = new Tanh();
        net.replaceModule("1", tanh);
        assertSame(tanh, net.get(1));
        assertSame(tanh, net.children().get("1"));
        assertSame(tanh, net.layers().get(1));
        assertEquals(List.of("0", "1", "2"), new ArrayList<>(net.children().keySet()));
        float[] withTanh = net.predict(x).toFloatArray();
        assertFalse(java.util.Arrays.equals(withRelu, withTanh), "forward still uses the old module");

        // Replacing a layer with a differently shaped one changes the state dict.
        net.replaceModule("2", new Linear(6, 5));
        assertArrayEquals(new int[] {5, 6}, net.stateDict().get("2.weight").shape());
        assertArrayEquals(new int[] {8, 5}, net.predict(x).shape());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.replaceModule("7", new ReLU()));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.replaceModule("x", new ReLU()));
        assertEquals(3, net.size());
    }

    @Test
    void predictRestoresTheModeAndRecordsNoGraph() {
        Rng.manualSeed(21);
        Sequential net = new Sequential(new Linear(5, 7), new BatchNorm1d(7), new ReLU(), new Dropout(0.5), new Linear(7, 3));
        Tensor x = randomInput(9, 4, 5).requiresGrad(true);
        net.train();
        Map<String, float[]> before = snapshot(net);

        Tensor y = net.predict(x);
        assertFalse(y.requiresGrad(), "predict recorded a graph");
        assertNull(y.gradFnName());
        assertArrayEquals(new int[] {4, 3}, y.shape());
        for (var e : net.namedModules().entrySet()) assertTrue(e.getValue().isTraining(), "training mode lost: " + e.getKey());
        // Evaluation mode inside: batch-norm statistics untouched, dropout off, so two calls agree.
        assertSameState(before, net);
        assertArrayEquals(y.toFloatArray(), net.predict(x).toFloatArray());
        // And it equals an explicit eval-mode forward.
        net.eval();
        assertArrayEquals(y.toFloatArray(), net.forward(x).toFloatArray());
        net.predict(x);
        for (Module m : net.namedModules().values()) assertFalse(m.isTraining(), "predict switched an eval model to training");

        // A mode set on one layer alone (a frozen batch norm during fine-tuning) survives predict.
        net.train();
        net.get(1).eval();
        net.predict(x);
        assertTrue(net.isTraining());
        assertTrue(net.get(3).isTraining());
        assertFalse(net.get(1).isTraining(), "predict unfroze a batch-norm layer that was in eval mode");

        // Outside predict, a training forward does record.
        net.train();
        assertTrue(net.forward(x).requiresGrad());
    }

    /** A module that registers what it is told to. */
    private static final class Bag extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x;
        }

        void addParam(String name) {
            registerParameter(name, Tensor.zeros(1));
        }

        void addBuffer(String name) {
            registerBuffer(name, Tensor.zeros(1));
        }
    }

    @Test
    void badOrDuplicateMemberNamesAreRefused() {
        Bag m = new Bag();
        m.addParam("w");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.addBuffer("w"));
        assertTrue(e.getMessage().contains("'w'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.addParam("a.b"));
        assertThrows(IllegalArgumentException.class, () -> m.addParam(""));
        assertEquals(List.of("w"), new ArrayList<>(m.stateDict().keySet()));
    }
}
