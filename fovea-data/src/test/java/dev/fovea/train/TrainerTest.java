package dev.fovea.train;

import dev.fovea.data.Dataset;
import dev.fovea.io.Checkpoint;
import dev.fovea.nn.BatchNorm1d;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import dev.fovea.optim.AdamW;
import dev.fovea.optim.LearningRateSchedule;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    @TempDir
    Path dir;

    private static final Dataset TRAIN = new Blobs(600, 3, 1), TEST = new Blobs(200, 3, 2);

    /** Dropout draws from the global generator and batch norm keeps running statistics: both must resume exactly. */
    private static Module model() {
        Rng.manualSeed(3);
        return new Sequential(new Flatten(), new Linear(16, 24), new BatchNorm1d(24), new ReLU(), new Dropout(0.3), new Linear(24, 3));
    }

    private static void assertSameWeights(Module a, Module b) {
        Map<String, Tensor> sa = a.stateDict(), sb = b.stateDict();
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) assertArrayEquals(sa.get(k).toFloatArray(), sb.get(k).toFloatArray(), k);
    }

    private void resumeMatches(Function<Module, Optimizer> optimizer) throws Exception {
        resumeMatches(optimizer, LearningRateSchedule.COSINE.withWarmup(1));
    }

    private void resumeMatches(Function<Module, Optimizer> optimizer, LearningRateSchedule schedule) throws Exception {
        Module full = model();
        Trainer.Outcome whole = new Trainer(full, optimizer.apply(full), new CrossEntropyLoss(0.1)).output(null).schedule(schedule)
                .checkpoint(dir.resolve("full.ckpt"), Map.of()).run(TRAIN, TEST, 3, 32, 9);
        assertEquals(3, whole.history().size());

        // The same run, stopped (as by a crash) after its second epoch's checkpoint.
        Module part = model();
        Path ck = dir.resolve("part.ckpt");
        Trainer interrupted = new Trainer(part, optimizer.apply(part), new CrossEntropyLoss(0.1)).output(null).schedule(schedule)
                .checkpoint(ck, Map.of()).onEpochEnd(r -> {
                    if (r.epoch() == 2) throw new IllegalStateException("simulated crash");
                });
        assertThrows(IllegalStateException.class, () -> interrupted.run(TRAIN, TEST, 3, 32, 9));

        Checkpoint c = Checkpoint.load(ck);
        assertEquals(2L, c.training().get("epoch"));
        Rng.manualSeed(777); // whatever the global generator holds now must not matter
        Module resumedModel = c.model();
        Trainer.Outcome rest = new Trainer(resumedModel, optimizer.apply(resumedModel), new CrossEntropyLoss(0.1)).output(null).schedule(schedule)
                .resume(c).run(TRAIN, TEST, 3, 32, 9);
        assertSameWeights(full, resumedModel);
        assertEquals(3, rest.history().size());
        assertEquals(whole.history().get(0).trainLoss(), rest.history().get(0).trainLoss());
        assertEquals(whole.history().get(2).trainLoss(), rest.history().get(2).trainLoss());
        assertEquals(whole.test().accuracy(), rest.test().accuracy());
    }

    @Test
    void resumedRunIsBitIdenticalWithSgd() throws Exception {
        resumeMatches(m -> new SGD(m.parameters(), 0.05, 0.9, 5e-4, true));
    }

    @Test
    void resumedRunIsBitIdenticalWithAdamW() throws Exception {
        resumeMatches(m -> new AdamW(m.parameters(), 0.01));
    }

    @Test
    void resumedRunIsBitIdenticalWithOneCycleAdamW() throws Exception {
        // One-cycle moves Adam's beta1 every step; a resumed run must pick the cycle up where it was.
        resumeMatches(m -> new AdamW(m.parameters(), 0.01), LearningRateSchedule.oneCycle());
    }

    @Test
    void oneCycleSetsMomentumBeforeEveryStep() {
        Module m = model();
        SGD sgd = new SGD(m.parameters(), 0.05, 0.5, 0, false);
        LearningRateSchedule schedule = LearningRateSchedule.oneCycle();
        List<double[]> seen = new java.util.ArrayList<>();
        new Trainer(m, sgd, new CrossEntropyLoss()).output(null).schedule(schedule)
                .onStep(r -> seen.add(new double[] {r.globalStep() - 1, sgd.momentum()})).run(TRAIN, null, 2, 32, 9);
        assertEquals(2 * 19, seen.size());
        for (double[] s : seen) assertEquals(schedule.momentum((long) s[0], 38, 19), s[1], 1e-15, "step " + s[0]);
        assertEquals(0.95, seen.get(seen.size() - 1)[1], 1e-12);
    }

    @Test
    void resumeRefusesAnotherRun() throws Exception {
        Module m = model();
        Path ck = dir.resolve("a.ckpt");
        new Trainer(m, new SGD(m.parameters(), 0.05), new CrossEntropyLoss()).output(null).checkpoint(ck, null).run(TRAIN, null, 1, 32, 9);
        Checkpoint c = Checkpoint.load(ck);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(c.model(), new SGD(c.model().parameters(), 0.05),
                new CrossEntropyLoss()).output(null).resume(c).run(TRAIN, null, 2, 16, 9));
        assertTrue(e.getMessage().contains("batch size 32, this run has 16"), e.getMessage());
        // A finished run (as when a crash came after its last checkpoint) resumes to nothing more; a shorter one is refused.
        Trainer.Outcome done = new Trainer(c.model(), new SGD(c.model().parameters(), 0.05), new CrossEntropyLoss()).output(null).resume(c)
                .run(TRAIN, TEST, 1, 32, 9);
        assertEquals(1, done.history().size());
        assertTrue(done.test().accuracy() > 0);
        Checkpoint two = twoEpochs(Checkpoint.load(ck));
        e = assertThrows(IllegalArgumentException.class, () -> new Trainer(two.model(), new SGD(two.model().parameters(), 0.05),
                new CrossEntropyLoss()).output(null).resume(two).run(TRAIN, null, 1, 32, 9));
        assertTrue(e.getMessage().contains("already completed 2 epochs;"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Trainer(c.model(), new AdamW(c.model().parameters(), 0.05),
                new CrossEntropyLoss()).output(null).resume(c).run(TRAIN, null, 2, 32, 9));
        assertTrue(e.getMessage().contains("state is for sgd"), e.getMessage());
    }

    /** The same checkpoint, its training record saying two epochs were done. */
    private static Checkpoint twoEpochs(Checkpoint c) {
        Map<String, Object> t = new LinkedHashMap<>(c.training());
        t.put("epoch", 2L);
        return new Checkpoint(c.model(), c.optimizer(), t, c.tensors(), c.metadata());
    }

    @Test
    void earlyStoppingStopsAndKeepsTheBestWeights() {
        ValidationSplit split = ValidationSplit.of(TRAIN, 0.2);
        Module m = model();
        // Learn during epoch 1 only; then spoil the classifier, which later epochs (at rate 0) cannot repair.
        int stepsPerEpoch = (split.train().size() + 31) / 32;
        LearningRateSchedule firstEpochOnly = (step, total, perEpoch) -> step < perEpoch ? 1 : 0;
        Map<String, Tensor> atBest = new LinkedHashMap<>();
        Linear head = (Linear) ((Sequential) m).get(5);
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        Trainer.Outcome o = new Trainer(m, new SGD(m.parameters(), 0.1, 0.9, 0, false), new CrossEntropyLoss())
                .output(new java.io.PrintStream(log, true), false).schedule(firstEpochOnly).validation(split.validation()).earlyStopping(2)
                .onEpochEnd(r -> {
                    if (r.epoch() == 1) {
                        for (var e : m.stateDict().entrySet()) atBest.put(e.getKey(), e.getValue().copy());
                        head.weight().copyFrom(head.weight().neg().detach());
                    }
                }).run(split.train(), TEST, 20, 32, 9);
        assertTrue(o.stoppedEarly());
        assertEquals(3, o.history().size(), "best at epoch 1, no improvement in 2 and 3");
        assertEquals(1, o.bestEpoch());
        assertTrue(o.history().get(0).validationAccuracy() > 0.8, o.history().toString());
        assertTrue(o.history().get(2).validationAccuracy() < o.history().get(0).validationAccuracy());
        Map<String, Tensor> now = m.stateDict();
        assertEquals(atBest.keySet(), now.keySet());
        for (String k : now.keySet()) assertArrayEquals(atBest.get(k).toFloatArray(), now.get(k).toFloatArray(), k);
        assertEquals(o.history().get(0).testAccuracy(), o.test().accuracy(), "the test result is that of the restored weights");
        String out = log.toString();
        assertTrue(out.contains("val acc"), out);
        assertTrue(out.contains("Early stopping: validation accuracy has not improved for 2 epochs since epoch 1"), out);
        assertTrue(out.contains("Restored the weights of epoch 1"), out);
        assertTrue(stepsPerEpoch > 0);
    }

    @Test
    void earlyStoppingNeedsValidation() {
        Module m = model();
        assertThrows(IllegalStateException.class, () -> new Trainer(m, new SGD(m.parameters(), 0.1), new CrossEntropyLoss()).output(null)
                .earlyStopping(2).run(TRAIN, null, 2, 32, 1));
    }

    @Test
    void nonFiniteLossNamesEpochStepAndLayer() {
        Rng.manualSeed(3);
        Linear first = new Linear(16, 8);
        Module m = new Sequential(new Flatten(), first, new ReLU(), new Linear(8, 3));
        first.weight().copyFrom(Tensor.full(1e38, 8, 16));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new Trainer(m, new SGD(m.parameters(), 0.1), new CrossEntropyLoss()).output(null).run(TRAIN, null, 2, 32, 1));
        assertEquals(1, e.epoch());
        assertEquals(1, e.step());
        assertEquals("layer 1 (Linear)", e.layer());
        assertTrue(e.getMessage().contains("at epoch 1, step 1"), e.getMessage());
        assertTrue(e.getMessage().contains("the first non-finite output came from layer 1 (Linear)"), e.getMessage());
        assertFalse(Double.isFinite(e.loss()));
    }

    /** A "model" whose logits are its 1x1x3 input pixels, so that evaluation can be checked by hand. */
    private static final class Identity extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.reshape(x.size(0), 3);
        }
    }

    private record Fixed(float[][] logits, int[] labels) implements Dataset {
        public int size() { return labels.length; }
        public int[] sampleShape() { return new int[] {1, 1, 3}; }
        public int numClasses() { return 3; }
        public List<String> classNames() { return List.of("a", "b", "c"); }
        public void sample(int i, float[] dst, int off) { System.arraycopy(logits[i], 0, dst, off, 3); }
        public int label(int i) { return labels[i]; }
        public String name() { return "fixed"; }
    }

    @Test
    void evaluationGivesTopKPerClassAndConfusion() {
        Fixed data = new Fixed(new float[][] {
                {3, 2, 1},   // true 0, predicted 0
                {1, 3, 2},   // true 0, predicted 1, rank 3
                {1, 2, 3},   // true 1, predicted 2, rank 2
                {5, 5, 0},   // true 1, tie with class 0 goes to class 0: predicted 0, rank 2
                {0, 0, 1},   // true 2, predicted 2
        }, new int[] {0, 0, 1, 1, 2});
        Trainer.Evaluation ev = Trainer.evaluate(new Identity(), data, 2, 2);
        assertEquals(0.4, ev.accuracy(), 1e-12);
        assertEquals(2, ev.topK());
        assertEquals(0.8, ev.topKAccuracy(), 1e-12);
        assertArrayEquals(new int[][] {{1, 1, 0}, {1, 0, 1}, {0, 0, 1}}, ev.confusion());
        assertArrayEquals(new double[] {0.5, 0, 1}, ev.perClassAccuracy(), 1e-12);
        assertEquals(5, ev.count());
        Trainer.Evaluation top5 = Trainer.evaluate(new Identity(), data, 5);
        assertEquals(3, top5.topK(), "k is capped at the class count");
        assertEquals(1.0, top5.topKAccuracy());
        assertEquals(ev.loss(), top5.loss(), 1e-6);
    }

    @Test
    void validationSplitTakesTheTail() {
        ValidationSplit s = ValidationSplit.of(TRAIN, 0.25);
        assertEquals(450, s.train().size());
        assertEquals(150, s.validation().size());
        float[] a = new float[16], b = new float[16];
        s.validation().sample(0, a, 0);
        TRAIN.sample(450, b, 0);
        assertArrayEquals(b, a);
        assertEquals(TRAIN.label(599), s.validation().label(149));
        assertEquals(TRAIN.label(449), s.train().label(449));
        assertThrows(IndexOutOfBoundsException.class, () -> s.train().label(450));
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.of(TRAIN, 1));
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.of(TRAIN, 0.0001));
    }

    /** A main head and a side head on shared features, like GoogLeNet's auxiliary classifiers. */
    private static final class TwoHeads extends Module implements dev.fovea.nn.AuxiliaryOutputs {
        final Linear body, main, side;

        TwoHeads() {
            Rng.manualSeed(4);
            body = registerModule("body", new Linear(16, 8));
            main = registerModule("main", new Linear(8, 3));
            side = registerModule("side", new Linear(8, 3));
        }

        @Override
        public Tensor forward(Tensor x) {
            return main.call(body.call(x.flatten(1)).relu());
        }

        @Override
        public Outputs forwardTraining(Tensor x) {
            Tensor h = body.call(x.flatten(1)).relu();
            return new Outputs(main.call(h), isTraining() ? List.of(side.call(h)) : List.of(), 0.3);
        }
    }

    @Test
    void auxiliaryLossesTrainTheSideClassifiers() {
        TwoHeads m = new TwoHeads();
        float[] before = m.side.weight().toFloatArray();
        List<Trainer.EpochResult> h = new Trainer(m, new SGD(m.parameters(), 0.05), new CrossEntropyLoss()).output(null).fit(TRAIN, TEST, 2, 32, 1);
        assertFalse(java.util.Arrays.equals(before, m.side.weight().toFloatArray()), "the side head gets gradients only through its loss");
        assertTrue(h.get(1).testAccuracy() > 0.5, h.toString());
    }

    @Test
    void globalGeneratorIsPutBack() {
        Module m = model();
        Rng mine = new Rng(5);
        Rng.swapGlobal(mine);
        new Trainer(m, new SGD(m.parameters(), 0.05), new CrossEntropyLoss()).output(null).run(TRAIN, null, 1, 64, 1);
        assertTrue(Rng.global() == mine);
    }
}
