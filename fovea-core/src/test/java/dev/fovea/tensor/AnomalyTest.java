package dev.fovea.tensor;

import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Anomaly detection names the first operation, and its layer, whose output or gradient is not finite. */
class AnomalyTest {
    @AfterEach
    void off() {
        Autograd.detectAnomaly(false);
    }

    /** A model with named parts, as torchvision's: features (a Sequential) and classifier. */
    static final class Net extends Module {
        final Sequential features, classifier;

        Net() {
            Rng.manualSeed(1);
            features = registerModule("features", new Sequential(new Conv2d(1, 2, 3), new ReLU(), new Sequential(new Conv2d(2, 2, 1), new ReLU())));
            classifier = registerModule("classifier", new Sequential(new Flatten(), new Linear(2 * 4 * 4, 3)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return classifier.call(features.call(x));
        }
    }

    private static Tensor input() {
        return Tensor.uniform(new Rng(2), -1, 1, 2, 1, 6, 6);
    }

    @Test
    void forwardNaNNamesTheLayerItsPathAndTheOp() {
        Net net = new Net();
        Tensor w = net.features.children().get("2").children().get("0").namedParameters().get("weight");
        w.set(Double.NaN, 1, 0, 0, 0);
        Tensor x = input();
        assertTrue(Double.isNaN(net.call(x).sum().item()), "off by default: the NaN goes through unreported");

        Autograd.detectAnomaly(true);
        AnomalyException e = assertThrows(AnomalyException.class, () -> net.call(x));
        assertEquals("forward", e.phase());
        assertEquals("conv2d", e.op());
        assertEquals("features.2.0", e.layerPath());
        assertEquals("Conv2d", e.layerType());
        String m = e.getMessage();
        assertTrue(m.contains("layer features.2.0 (Conv2d)"), m);
        assertTrue(m.contains("32 non-finite values in its output of shape [2, 2, 4, 4] (32 NaN, 0 +Inf, 0 -Inf)"), m);
        // The weight is the op's second input: its one NaN shows in the statistics, the input itself is clean.
        assertTrue(m.contains("input 2: shape [2, 2, 1, 1], min"), m);
        assertTrue(m.contains("; 1 NaN, 0 +Inf, 0 -Inf of 4"), m);
        assertTrue(m.contains("input 1: shape [2, 2, 4, 4], min 0"), m);
    }

    @Test
    void infinityFromOverflowIsFoundWhereItAppears() {
        Net net = new Net();
        net.features.children().get("0").namedParameters().get("weight").copyFrom(Tensor.full(1e38, 2, 1, 3, 3));
        Tensor x = Tensor.uniform(new Rng(3), 0.5, 1, 2, 1, 6, 6); // finite; nine products of ~1e38 overflow float32
        Autograd.detectAnomaly(true);
        AnomalyException e = assertThrows(AnomalyException.class, () -> net.call(x));
        assertEquals("features.0", e.layerPath());
        assertTrue(e.getMessage().contains("+Inf") && e.getMessage().contains("input 1: shape [2, 1, 6, 6], min 0.5"), e.getMessage());
    }

    /** sqrt(w) at w = 0 is finite, its derivative is not: only the backward check can see it. */
    static final class Root extends Module {
        Root() {
            registerModule("head", new Module() {
                { registerParameter("w", Tensor.zeros(3)); }

                @Override
                public Tensor forward(Tensor x) {
                    return x.mul(namedParameters().get("w").sqrt());
                }

                @Override
                public String typeName() {
                    return "SqrtGate";
                }
            });
        }

        @Override
        public Tensor forward(Tensor x) {
            return children().get("head").call(x);
        }
    }

    @Test
    void backwardNaNNamesTheOpAndTheLayerItsForwardRanIn() {
        Root root = new Root();
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        Autograd.detectAnomaly(true);
        Tensor y = root.call(x).sum();
        assertEquals(0, y.item());
        AnomalyException e = assertThrows(AnomalyException.class, y::backward);
        assertEquals("backward", e.phase());
        assertEquals("sqrt", e.op());
        assertEquals("head", e.layerPath());
        assertEquals("SqrtGate", e.layerType());
        assertTrue(e.getMessage().contains("the gradient for its input 1 of 1"), e.getMessage());
        assertTrue(e.getMessage().contains("3 +Inf"), e.getMessage());
        assertTrue(e.getMessage().contains("incoming gradient: shape [3], min 1.0, max 3.0, mean 2.0"), e.getMessage());
        assertNull(e.step());
        assertEquals("epoch 1, step 2", e.atStep("epoch 1, step 2").step());
        assertTrue(e.atStep("epoch 1, step 2").getMessage().startsWith("epoch 1, step 2: the backward of 'sqrt' in layer head (SqrtGate)"));
    }

    @Test
    void opsOutsideLayersAndCleanRunsAreFine() {
        Autograd.detectAnomaly(true);
        Tensor a = Tensor.of(new float[] {0, 1}, 2).requiresGrad(true);
        AnomalyException e = assertThrows(AnomalyException.class, () -> a.log());
        assertNull(e.layerPath());
        assertTrue(e.getMessage().startsWith("the forward of 'log' (outside any layer) produced 1 non-finite values"), e.getMessage());
        Net net = new Net();
        Tensor loss = net.call(input()).sum();
        loss.backward();
        assertFalse(Double.isNaN(loss.item()));
    }
}
