package dev.fovea.nn;

import dev.fovea.tensor.OpProfile;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpProfileTest {
    @AfterEach
    void off() {
        OpProfile.enable(false);
        OpProfile.reset();
    }

    private static void step(Module m) {
        Tensor x = Tensor.randn(new Rng(1), 2, 1, 8, 8);
        new CrossEntropyLoss().forward(m.call(x), new int[] {0, 1}).backward();
    }

    @Test
    void recordsEveryLeafLayerForwardAndEveryBackwardOnlyWhenEnabled() {
        Rng.manualSeed(3);
        Module m = new Sequential(new Conv2d(1, 2, 3), new ReLU(), new Flatten(), new Linear(72, 2));
        OpProfile.reset();
        step(m);
        assertFalse(OpProfile.report().contains("forward Conv2d"), "disabled profiling must record nothing");

        OpProfile.enable(true);
        step(m);
        step(m);
        String r = OpProfile.report();
        for (String key : new String[] {"forward Conv2d", "forward ReLU", "forward Linear", "backward conv2d", "backward relu", "backward linear", "backward cross_entropy"}) {
            assertTrue(r.lines().anyMatch(l -> l.startsWith(key + " ") && l.matches(".*\\s2\\s+\\d+\\.\\d\\s+\\d+\\.\\d%")), key + " twice in:\n" + r);
        }
        assertFalse(r.contains("forward Sequential"), "containers are not timed on top of their layers:\n" + r);
    }
}
