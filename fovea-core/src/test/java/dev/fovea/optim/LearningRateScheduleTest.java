package dev.fovea.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schedule factors at chosen steps, from their definitions (PyTorch's schedulers stepped per epoch or per batch). */
class LearningRateScheduleTest {

    @Test
    void constantAndCosine() {
        assertEquals(1, LearningRateSchedule.CONSTANT.factor(17, 100, 10));
        LearningRateSchedule c = LearningRateSchedule.COSINE;
        assertEquals(1, c.factor(0, 100, 10), 1e-15);
        assertEquals(0.5, c.factor(50, 100, 10), 1e-15);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.25)), c.factor(25, 100, 10), 1e-15);
        assertEquals(0, c.factor(100, 100, 10), 1e-15);
        assertEquals(0, c.factor(130, 100, 10), 1e-15);
    }

    @Test
    void stepDropsEveryStepSizeEpochs() {
        LearningRateSchedule s = LearningRateSchedule.step(2, 0.1);
        // 10 steps per epoch: epochs 0-1 at 1, 2-3 at 0.1, 4-5 at 0.01.
        assertEquals(1, s.factor(0, 100, 10));
        assertEquals(1, s.factor(19, 100, 10));
        assertEquals(0.1, s.factor(20, 100, 10), 1e-15);
        assertEquals(0.1, s.factor(39, 100, 10), 1e-15);
        assertEquals(0.01, s.factor(40, 100, 10), 1e-15);
    }

    @Test
    void multiStepDropsAtMilestones() {
        LearningRateSchedule s = LearningRateSchedule.multiStep(new int[] {2, 5}, 0.5);
        // 4 steps per epoch; epoch = step / 4.
        assertEquals(1, s.factor(7, 40, 4));
        assertEquals(0.5, s.factor(8, 40, 4));
        assertEquals(0.5, s.factor(19, 40, 4));
        assertEquals(0.25, s.factor(20, 40, 4));
        assertEquals(0.25, s.factor(39, 40, 4));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.multiStep(new int[] {5, 2}, 0.5));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.multiStep(new int[0], 0.5));
    }

    @Test
    void exponentialPerEpoch() {
        LearningRateSchedule s = LearningRateSchedule.exponential(0.9);
        assertEquals(1, s.factor(2, 30, 3));
        assertEquals(0.9, s.factor(3, 30, 3), 1e-15);
        assertEquals(0.81, s.factor(8, 30, 3), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.exponential(0));
    }

    @Test
    void oneCycleHasPyTorchsShape() {
        LearningRateSchedule s = LearningRateSchedule.oneCycle();
        // 100 steps: phase one ends at step 0.3 * 100 - 1 = 29, phase two at 99.
        double initial = 1 / 25.0, min = initial / 1e4;
        assertEquals(initial, s.factor(0, 100, 10), 1e-15);
        assertEquals(1, s.factor(29, 100, 10), 1e-15);
        assertEquals(min, s.factor(99, 100, 10), 1e-15);
        // Half-way through each phase the cosine is at its middle.
        assertEquals(anneal(initial, 1, 14 / 29.0), s.factor(14, 100, 10), 1e-15);
        assertEquals((1 + min) / 2, s.factor(64, 100, 10), 1e-15);
        assertEquals(anneal(1, min, (80 - 29) / 70.0), s.factor(80, 100, 10), 1e-15);
        // It rises, then falls.
        for (int i = 1; i < 100; i++) {
            double a = s.factor(i - 1, 100, 10), b = s.factor(i, 100, 10);
            assertTrue(i <= 29 ? b > a : b < a, "step " + i);
        }
        LearningRateSchedule custom = LearningRateSchedule.oneCycle(0.5, 10, 100);
        assertEquals(0.1, custom.factor(0, 20, 5), 1e-15);
        assertEquals(1, custom.factor(9, 20, 5), 1e-15);
        assertEquals(0.001, custom.factor(19, 20, 5), 1e-15);
    }

    @Test
    void oneCycleCyclesMomentumAgainstTheRate() {
        LearningRateSchedule s = LearningRateSchedule.oneCycle();
        // PyTorch's defaults: 0.95 at the start, 0.85 at the peak rate (step 29 of 100), 0.95 again at the end.
        assertEquals(0.95, s.momentum(0, 100, 10), 1e-15);
        assertEquals(0.85, s.momentum(29, 100, 10), 1e-15);
        assertEquals(0.95, s.momentum(99, 100, 10), 1e-15);
        assertEquals(anneal(0.95, 0.85, 14 / 29.0), s.momentum(14, 100, 10), 1e-15);
        assertEquals(anneal(0.85, 0.95, (80 - 29) / 70.0), s.momentum(80, 100, 10), 1e-15);
        for (int i = 1; i < 100; i++) {
            double a = s.momentum(i - 1, 100, 10), b = s.momentum(i, 100, 10);
            assertTrue(i <= 29 ? b < a : b > a, "step " + i);
        }
        // Warm-up scales the rate only; momentum passes through. Other schedules leave momentum alone.
        assertEquals(s.momentum(5, 100, 10), s.withWarmup(1).momentum(5, 100, 10));
        assertTrue(Double.isNaN(LearningRateSchedule.COSINE.momentum(5, 100, 10)));
        assertTrue(Double.isNaN(LearningRateSchedule.COSINE.withWarmup(1).momentum(5, 100, 10)));
        assertEquals(0.8, LearningRateSchedule.oneCycle(0.3, 25, 1e4, 0.8, 0.9).momentum(29, 100, 10), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.oneCycle(0.3, 25, 1e4, 0.9, 0.8));
    }

    private static double anneal(double start, double end, double pct) {
        return end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
    }

    @Test
    void warmupRampsLinearlyAndComposes() {
        LearningRateSchedule w = LearningRateSchedule.CONSTANT.withWarmup(2);
        // 5 steps per epoch: 10 warm-up steps at (s + 1) / 10.
        assertEquals(0.1, w.factor(0, 50, 5), 1e-15);
        assertEquals(0.5, w.factor(4, 50, 5), 1e-15);
        assertEquals(1, w.factor(9, 50, 5), 1e-15);
        assertEquals(1, w.factor(10, 50, 5), 1e-15);
        LearningRateSchedule cw = LearningRateSchedule.COSINE.withWarmup(1);
        assertEquals(0.5 * LearningRateSchedule.COSINE.factor(4, 100, 10), cw.factor(4, 100, 10), 1e-15);
        assertEquals(LearningRateSchedule.COSINE.factor(50, 100, 10), cw.factor(50, 100, 10), 1e-15);
        // Milestones keep their place under a warm-up.
        LearningRateSchedule sw = LearningRateSchedule.step(1, 0.1).withWarmup(2);
        assertEquals(0.5, sw.factor(3, 40, 4), 1e-15);
        assertEquals(0.1 * 6 / 8, sw.factor(5, 40, 4), 1e-15);
        assertEquals(0.01, sw.factor(8, 40, 4), 1e-15);
        assertSame(LearningRateSchedule.COSINE, LearningRateSchedule.COSINE.withWarmup(0));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.COSINE.withWarmup(-1));
    }

    @Test
    void namedSchedules() {
        assertSame(LearningRateSchedule.COSINE, LearningRateSchedule.named("cosine"));
        assertSame(LearningRateSchedule.CONSTANT, LearningRateSchedule.named("constant"));
        assertEquals(0.04, LearningRateSchedule.named("onecycle").factor(0, 10, 1), 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.named("linear"));
        assertTrue(e.getMessage().contains("cosine"), e.getMessage());
    }
}
