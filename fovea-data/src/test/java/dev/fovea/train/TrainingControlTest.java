package dev.fovea.train;

import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.optim.Adam;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live hooks of the trainer: per-step results, pause and resume, hyperparameters changed between steps. */
class TrainingControlTest {
    private static final Blobs TRAIN = new Blobs(300, 3, 1);

    private static Module model() {
        Rng.manualSeed(5);
        return new Sequential(new Flatten(), new Linear(16, 3));
    }

    @Test
    void changesApplyFromTheNextStepAndBatchSizeFromTheNextEpoch() {
        Module m = model();
        SGD sgd = new SGD(m.parameters(), 0.05, 0.9, 0, false);
        TrainingControl control = new TrainingControl();
        List<Trainer.StepResult> steps = new ArrayList<>();
        List<Double> momenta = new ArrayList<>();
        new Trainer(m, sgd, new CrossEntropyLoss()).output(null).control(control).onStep(s -> {
            steps.add(s);
            momenta.add(sgd.momentum());
            if (s.epoch() == 1 && s.step() == 3) {
                control.setLearningRate(0.01);
                control.setMomentum(0.5);
                control.setWeightDecay(0.001);
                control.setBatchSize(50);
            }
        }).run(TRAIN, null, 2, 30, 7);
        // Epoch 1: 10 steps of 30; epoch 2: 6 steps of 50.
        assertEquals(16, steps.size());
        assertEquals(10, steps.get(0).stepsPerEpoch());
        assertEquals(30, steps.get(9).batchSize());
        assertEquals(6, steps.get(10).stepsPerEpoch());
        assertEquals(50, steps.get(10).batchSize());
        assertEquals(0.05, steps.get(2).learningRate(), 1e-15);
        assertEquals(0.01, steps.get(3).learningRate(), 1e-15);
        assertEquals(0.9, momenta.get(2));
        assertEquals(0.5, momenta.get(3));
        assertEquals(0.001, sgd.weightDecay());
        for (Trainer.StepResult s : steps) {
            assertTrue(Double.isFinite(s.loss()) && s.accuracy() >= 0 && s.accuracy() <= 1 && s.imagesPerSecond() > 0);
        }
        assertTrue(steps.getLast().epochLoss() < steps.getFirst().loss(), "the loss goes down on a learnable set");
    }

    @Test
    void pauseHoldsTheNextStepUntilResume() throws Exception {
        Module m = model();
        TrainingControl control = new TrainingControl();
        control.pause();
        AtomicInteger count = new AtomicInteger();
        CompletableFuture<Trainer.Outcome> run = CompletableFuture.supplyAsync(() ->
                new Trainer(m, new SGD(m.parameters(), 0.05), new CrossEntropyLoss()).output(null).control(control)
                        .onStep(s -> count.incrementAndGet()).run(TRAIN, null, 1, 100, 3));
        // The run has started (its optimizer is attached) but cannot take a step while paused.
        while (control.optimizer() == null) Thread.onSpinWait();
        Thread.sleep(100);
        assertEquals(0, count.get());
        assertFalse(run.isDone());
        assertTrue(control.isPaused());
        // Code between steps runs at once while paused.
        assertEquals(16 * 3 + 3, control.betweenSteps(() -> m.parameterCount()).intValue());
        control.resume();
        run.get(60, TimeUnit.SECONDS);
        assertEquals(3, count.get());
    }

    @Test
    void stopEndsTheRunAfterTheCurrentEpoch() {
        Module m = model();
        TrainingControl control = new TrainingControl();
        List<Trainer.EpochResult> epochs = new Trainer(m, new SGD(m.parameters(), 0.05), new CrossEntropyLoss()).output(null).control(control)
                .onStep(s -> {
                    if (s.epoch() == 2 && s.step() == 1) control.stop();
                }).fit(TRAIN, TRAIN, 50, 100, 3);
        assertEquals(2, epochs.size());
        assertTrue(Double.isFinite(epochs.getLast().testAccuracy()));
    }

    @Test
    void refusesWhatTheOptimizerLacksAndBadNumbers() {
        TrainingControl control = new TrainingControl();
        assertThrows(IllegalStateException.class, () -> control.setMomentum(0.5));
        Module m = model();
        new Trainer(m, new Adam(m.parameters(), 0.001), new CrossEntropyLoss()).output(null).control(control).run(TRAIN, null, 1, 100, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> control.setMomentum(0.5));
        assertEquals("adam has no momentum", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> control.setLearningRate(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> control.setLearningRate(-1));
        assertThrows(IllegalArgumentException.class, () -> control.setBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> control.setWeightDecay(Double.POSITIVE_INFINITY));
    }
}
