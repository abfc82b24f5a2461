package dev.fovea.optim;

import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.fovea.optim.AdaptiveOptimizersTest.param;
import static dev.fovea.optim.AdaptiveOptimizersTest.step;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-group learning rates, and optimizer state taken out and put back. */
class ParamGroupsAndStateTest {

    private static double[] delta(Tensor p) {
        double[] now = p.toDoubleArray(), d = new double[now.length];
        double[] p0 = {1.0, -2.0, 0.25};
        for (int i = 0; i < d.length; i++) d[i] = now[i] - p0[i];
        return d;
    }

    @Test
    void lrMultiplierScalesTheUpdate() {
        Tensor a = param(), b = param();
        SGD sgd = SGD.grouped(List.of(new ParamGroup("a", List.of(a), 1), new ParamGroup("b", List.of(b), 0.25)), 0.1, 0, 0, 0, false);
        step(sgd, a, b);
        double[] da = delta(a), db = delta(b);
        for (int i = 0; i < 3; i++) assertEquals(0.25 * da[i], db[i], 1e-15);
        assertEquals(0.025, sgd.learningRate(1), 1e-15);
        sgd.setLearningRate(0.2);
        assertEquals(0.05, sgd.learningRate(1), 1e-15);

        // Adam's step is proportional to the rate too; multiplier 0 leaves the group alone.
        Tensor c = param(), d = param(), e = param();
        Adam adam = Adam.grouped(List.of(new ParamGroup(List.of(c), 1), new ParamGroup(List.of(d), 0.5), new ParamGroup(List.of(e), 0)),
                0.1, 0.9, 0.999, 1e-8, 0, false);
        step(adam, c, d, e);
        double[] dc = delta(c), dd = delta(d);
        for (int i = 0; i < 3; i++) assertEquals(0.5 * dc[i], dd[i], 1e-15);
        assertArrayEquals(new double[] {1.0, -2.0, 0.25}, e.toDoubleArray());
    }

    @Test
    void groupsByLongestPrefix() {
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (String n : List.of("features.0.weight", "features.0.bias", "features.3.weight", "features10.weight", "classifier.weight")) {
            named.put(n, Tensor.zeros(1));
        }
        Map<String, Double> mult = new LinkedHashMap<>();
        mult.put("features", 0.1);
        mult.put("features.3", 0.5);
        List<ParamGroup> groups = ParamGroup.byPrefix(named, mult);
        assertEquals(List.of("", "features", "features.3"), groups.stream().map(ParamGroup::name).toList());
        assertEquals(List.of(named.get("features10.weight"), named.get("classifier.weight")), groups.get(0).params());
        assertEquals(List.of(named.get("features.0.weight"), named.get("features.0.bias")), groups.get(1).params());
        assertEquals(0.5, groups.get(2).lrMultiplier());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParamGroup.byPrefix(named, Map.of("head", 2.0)));
        assertTrue(e.getMessage().contains("'head' matches no parameter"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ParamGroup(List.of(), -1));
        Tensor t = param();
        assertThrows(IllegalArgumentException.class, () -> SGD.grouped(List.of(new ParamGroup(List.of(t), 1), new ParamGroup(List.of(t), 2)), 0.1, 0, 0, 0, false));
    }

    /** Two steps, export, a fresh optimizer on a copy imports, one more step each: bit-identical. */
    private static void roundTrip(Function<List<Tensor>, Optimizer> make) {
        Tensor p = param(), q = Tensor.of(new float[] {0.5f, 1.5f, -1f}, 3).requiresGrad(true);
        Optimizer a = make.apply(List.of(p, q));
        step(a, p, q);
        step(a, p, q);
        Optimizer.State s = a.exportState();
        assertEquals(a.typeName(), s.type());
        assertEquals(List.of(2L, 2L), s.info().get("steps"));
        Tensor p2 = p.copy().requiresGrad(true), q2 = q.copy().requiresGrad(true);
        Optimizer b = make.apply(List.of(p2, q2));
        b.importState(s);
        step(a, p, q);
        step(b, p2, q2);
        assertArrayEquals(p.toDoubleArray(), p2.toDoubleArray(), a.typeName());
        assertArrayEquals(q.toFloatArray(), q2.toFloatArray(), a.typeName());
        // The exported tensors were copies: stepping did not change them.
        Optimizer c = make.apply(List.of(p.copy().requiresGrad(true), q.copy().requiresGrad(true)));
        c.importState(s);
        for (var e : s.tensors().entrySet()) assertTrue(e.getValue().dtype() == (e.getKey().startsWith("0.") ? p.dtype() : q.dtype()));
    }

    @Test
    void stateRoundTripsForEveryOptimizer() {
        roundTrip(ps -> new SGD(ps, 0.1, 0.9, 1e-3, true));
        roundTrip(ps -> new Adam(ps, 0.01, 0.9, 0.999, 1e-8, 1e-3, true));
        roundTrip(ps -> new AdamW(ps, 0.01));
        roundTrip(ps -> new RMSprop(ps, 0.01, 0.99, 1e-8, 1e-3, 0.9, true));
    }

    @Test
    void adamStepCountsComeBackWithTheState() {
        // Without the step count the bias correction would restart and the next step would differ.
        Tensor p = param();
        Adam a = new Adam(List.of(p), 0.1);
        step(a, p);
        step(a, p);
        Optimizer.State s = a.exportState();
        Map<String, Object> info = new LinkedHashMap<>(s.info());
        info.put("steps", List.of(0L));
        Tensor p2 = p.copy().requiresGrad(true), p3 = p.copy().requiresGrad(true);
        Adam withSteps = new Adam(List.of(p2), 0.1), withoutSteps = new Adam(List.of(p3), 0.1);
        withSteps.importState(s);
        withoutSteps.importState(new Optimizer.State(s.type(), info, s.tensors()));
        step(a, p);
        step(withSteps, p2);
        step(withoutSteps, p3);
        assertArrayEquals(p.toDoubleArray(), p2.toDoubleArray());
        assertTrue(Math.abs(p.toDoubleArray()[0] - p3.toDoubleArray()[0]) > 1e-6);
    }

    @Test
    void stateThatDoesNotFitIsRefused() {
        Tensor p = param();
        SGD sgd = new SGD(List.of(p), 0.1, 0.9, 0, false);
        step(sgd, p);
        Optimizer.State s = sgd.exportState();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(param()), 0.1).importState(s));
        assertTrue(e.getMessage().contains("state is for sgd, this optimizer is adam"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(param(), param()), 0.1, 0.9, 0, false).importState(s));
        assertTrue(e.getMessage().contains("1 parameters"), e.getMessage());
        Tensor other = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(other), 0.1, 0.9, 0, false).importState(s));
        assertTrue(e.getMessage().contains("shape"), e.getMessage());
        Optimizer.State bogus = new Optimizer.State("sgd", s.info(), Map.of("0.exp_avg", Tensor.zeros(3)));
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(param()), 0.1, 0.9, 0, false).importState(bogus));
        assertTrue(e.getMessage().contains("no buffer 'exp_avg'"), e.getMessage());
    }
}
