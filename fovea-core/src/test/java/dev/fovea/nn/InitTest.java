package dev.fovea.nn;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sequential picks He before ReLU-like activations and Xavier elsewhere; seeds make weights reproducible. */
class InitTest {

    private static double std(float[] v) {
        double s = 0, ss = 0;
        for (float x : v) s += x;
        double m = s / v.length;
        for (float x : v) ss += (x - m) * (x - m);
        return Math.sqrt(ss / v.length);
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    private static float[] weight(Module m) {
        return m.stateDict().get("weight").toFloatArray();
    }

    private static void assertZeroBias(Module m) {
        for (float b : m.stateDict().get("bias").toFloatArray()) assertEquals(0f, b);
    }

    private static void assertHe(Module layer, int fanIn, double slope) {
        double expected = Math.sqrt(2.0 / (1 + slope * slope) / fanIn);
        double got = std(weight(layer));
        assertEquals(expected, got, 0.02 * expected, "He std for fan_in " + fanIn);
        // A normal distribution reaches several standard deviations in a large sample; a uniform one does not.
        assertTrue(maxAbs(weight(layer)) > 3.5 * expected, "He weights look uniform, not normal");
    }

    private static void assertXavier(Module layer, int fanIn, int fanOut) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        float[] w = weight(layer);
        assertTrue(maxAbs(w) <= limit, "Xavier weight beyond the limit " + limit + ": " + maxAbs(w));
        assertTrue(maxAbs(w) > 0.99 * limit, "Xavier weights do not fill [-limit, limit]");
        assertEquals(limit / Math.sqrt(3), std(w), 0.02 * limit / Math.sqrt(3), "Xavier std");
    }

    @Test
    void heBeforeReluLikeActivations() {
        Rng.manualSeed(42);
        Sequential net = new Sequential(new Linear(500, 400), new ReLU(), new Linear(400, 300));
        assertHe(net.get(0), 500, 0);
        assertZeroBias(net.get(0));

        // Convolutions: fan_in = Cin * kh * kw; pooling and batch norm in between are skipped.
        Rng.manualSeed(43);
        Sequential conv = new Sequential(new Conv2d(64, 128, 3), new BatchNorm2d(128), new MaxPool2d(2), new ReLU());
        assertHe(conv.get(0), 64 * 9, 0);
        assertZeroBias(conv.get(0));

        // LeakyReLU uses its slope in the gain; ELU counts as ReLU-like.
        Rng.manualSeed(44);
        Sequential leaky = new Sequential(new Linear(400, 300), new Dropout(0.2), new LeakyReLU(0.5), new Linear(300, 200), new ELU());
        assertHe(leaky.get(0), 400, 0.5);
        assertHe(leaky.get(3), 300, 0);
    }

    @Test
    void xavierBeforeTanhOrNothing() {
        Rng.manualSeed(45);
        Sequential net = new Sequential(new Linear(300, 200), new Tanh(), new Linear(200, 250), new Flatten(), new Linear(250, 150));
        assertXavier(net.get(0), 300, 200);
        assertZeroBias(net.get(0));
        // Followed directly by another weight layer (through a Flatten): Xavier.
        assertXavier(net.get(2), 200, 250);
        // Last layer, nothing after it: Xavier.
        assertXavier(net.get(4), 250, 150);
        assertZeroBias(net.get(4));

        // A convolution before Sigmoid: fan_in = 32*3*3, fan_out = 64*3*3.
        Rng.manualSeed(46);
        Sequential conv = new Sequential(new Conv2d(32, 64, 3), new Sigmoid());
        assertXavier(conv.get(0), 32 * 9, 64 * 9);
    }

    @Test
    void heAndXavierAreDistinguishable() {
        // For fan_in 300, fan_out 200: He std 0.0816, Xavier std 0.0632 and max 0.1095, so neither passes for the other.
        Rng.manualSeed(47);
        float[] he = weight(new Sequential(new Linear(300, 200), new ReLU()).get(0));
        float[] xavier = weight(new Sequential(new Linear(300, 200), new Tanh()).get(0));
        assertTrue(Math.abs(std(he) - Math.sqrt(2.0 / 300)) < 0.002);
        assertTrue(Math.abs(std(xavier) - Math.sqrt(2.0 / 300)) > 0.01);
        assertTrue(maxAbs(he) > Math.sqrt(6.0 / 500));
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        Rng.manualSeed(7);
        Sequential a = new Sequential(new Conv2d(3, 8, 3), new ReLU(), new Flatten(), new Linear(8, 4), new Tanh());
        Rng.manualSeed(7);
        Sequential b = new Sequential(new Conv2d(3, 8, 3), new ReLU(), new Flatten(), new Linear(8, 4), new Tanh());
        Rng.manualSeed(8);
        Sequential c = new Sequential(new Conv2d(3, 8, 3), new ReLU(), new Flatten(), new Linear(8, 4), new Tanh());
        for (String k : a.stateDict().keySet()) {
            float[] wa = a.stateDict().get(k).toFloatArray(), wb = b.stateDict().get(k).toFloatArray();
            assertEquals(wa.length, wb.length);
            for (int i = 0; i < wa.length; i++) assertEquals(Float.floatToRawIntBits(wa[i]), Float.floatToRawIntBits(wb[i]), k + "[" + i + "]");
        }
        assertFalse(java.util.Arrays.equals(weight(a.get(0)), weight(c.get(0))));
        assertFalse(java.util.Arrays.equals(weight(a.get(3)), weight(c.get(3))));
        // Nor do two layers of one model share their draws.
        Rng.manualSeed(9);
        Sequential twin = new Sequential(new Linear(6, 6), new ReLU(), new Linear(6, 6), new ReLU());
        assertFalse(java.util.Arrays.equals(weight(twin.get(0)), weight(twin.get(2))));
    }

    @Test
    void standaloneLayersAreHeInitialised() {
        Rng.manualSeed(48);
        Linear fc = new Linear(800, 250);
        assertHe(fc, 800, 0);
        assertZeroBias(fc);
        Tensor w = fc.weight();
        assertArrayEquals(new int[] {250, 800}, w.shape());
    }
}
