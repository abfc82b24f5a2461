package dev.fovea.train;

import dev.fovea.data.Batch;
import dev.fovea.data.DataLoader;
import dev.fovea.data.Dataset;
import dev.fovea.io.Checkpoint;
import dev.fovea.nn.AuxiliaryOutputs;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Module;
import dev.fovea.optim.LearningRateSchedule;
import dev.fovea.optim.GradClipping;
import dev.fovea.optim.Optimizer;
import dev.fovea.tensor.AnomalyException;
import dev.fovea.tensor.Autograd;
import dev.fovea.tensor.Losses;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import dev.fovea.kernels.Arena;
import dev.fovea.kernels.Buf;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static dev.fovea.train.RunRecord.checkSame;
import static dev.fovea.train.RunRecord.finiteOrNull;
import static dev.fovea.train.RunRecord.number;
import static dev.fovea.train.RunRecord.orNaN;

/**
 * A {@code fit}-style training loop: mini-batch gradient descent on cross-entropy, then an optional validation
 * pass and a test pass, each epoch reporting training loss and accuracy, validation and test accuracy and images
 * per second.
 *
 * <p><b>Learning rate.</b> Before every step the optimizer's rate is set to the base rate (its rate when the run
 * starts) times the {@linkplain #schedule(LearningRateSchedule) schedule}'s factor for that step; a schedule that
 * cycles momentum (one-cycle) sets that too ({@link dev.fovea.optim.Optimizer#setCycledMomentum}), overriding the
 * optimizer's own and any change made from a {@link TrainingControl}.
 *
 * <p><b>Randomness.</b> Batches are shuffled from the seed and the epoch number ({@link DataLoader}), and at the
 * start of every epoch the global {@link Rng} (dropout, and anything else drawing from it during training) is
 * replaced by a generator made from the seed and the epoch number; the caller's global generator is put back at
 * the end. So the random state of a run at an epoch boundary is just (seed, epoch), which is what lets a
 * checkpointed run resume with bit-identical results (with the same number of kernel threads).
 *
 * <p><b>Checkpoints.</b> With {@link #checkpoint(Path, Map)}, the model, the optimizer's state and the trainer's
 * counters are written atomically to one file after every epoch ({@link Checkpoint}); {@link #resume(Checkpoint)}
 * continues from such a file.
 *
 * <p><b>Early stopping.</b> With a {@linkplain #validation(Dataset) validation set} and
 * {@link #earlyStopping(int) patience} P, training stops once validation accuracy has not improved for P epochs
 * in a row, and the model is left with the weights of its best validation epoch (also when all epochs run).
 *
 * <p><b>Auxiliary classifiers.</b> A model that implements {@link AuxiliaryOutputs} (GoogLeNet with its side
 * classifiers) trains on its main loss plus the weighted losses of its auxiliary scores; the reported training
 * loss is that sum, and accuracy is measured on the main scores.
 *
 * <p><b>Live control.</b> {@link #onStep} reports every step, and a {@link TrainingControl} given to
 * {@link #control} pauses and resumes the run, changes hyperparameters between steps and lets other threads read
 * the model between steps (a web page, for instance).
 *
 * <p><b>Divergence.</b> A NaN or infinite loss stops training with a {@link TrainingDivergedException} naming the
 * epoch, the step and, found by running the batch again while watching every layer, the first layer whose output
 * was not finite.
 */
public final class Trainer {
    /** One epoch's numbers. Accuracies are fractions in [0, 1]; NaN where there was no such set. */
    public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                              double imagesPerSecond, double seconds, double validationLoss, double validationAccuracy) {}

    /**
     * Loss, top-1 accuracy, top-k accuracy and the confusion matrix (row: true class, column: predicted) of a
     * model on a dataset.
     */
    public record Evaluation(double loss, double accuracy, int[][] confusion, int topK, double topKAccuracy) {
        /** The number of samples evaluated. */
        public long count() {
            long n = 0;
            for (int[] row : confusion) for (int v : row) n += v;
            return n;
        }

        /** Accuracy of each true class (the recall): the diagonal over the row sums; NaN for a class with no samples. */
        public double[] perClassAccuracy() {
            double[] acc = new double[confusion.length];
            for (int i = 0; i < confusion.length; i++) {
                long total = 0;
                for (int v : confusion[i]) total += v;
                acc[i] = total == 0 ? Double.NaN : (double) confusion[i][i] / total;
            }
            return acc;
        }
    }

    /**
     * One training step's numbers, for live displays: the batch's own loss and accuracy, the epoch's running
     * means so far, images per second in this epoch (time spent paused left out), and the learning rate and batch
     * size the step used.
     */
    public record StepResult(int epoch, int step, int stepsPerEpoch, long globalStep, double loss, double accuracy,
                             double epochLoss, double epochAccuracy, double imagesPerSecond, double learningRate, int batchSize) {}

    /**
     * What a run did: every epoch's numbers (including those before a resume), the best validation epoch (0
     * without validation), whether early stopping ended it, and the test evaluation of the model as it is left
     * (the best epoch's weights when early stopping restored them), or null without a test set.
     */
    public record Outcome(List<EpochResult> history, int bestEpoch, double bestValidationAccuracy, boolean stoppedEarly, Evaluation test) {}

    private final Module model;
    private final Optimizer optimizer;
    private final CrossEntropyLoss loss;
    private PrintStream out = System.out;
    private boolean progressBar = Progress.isTerminal();
    private LearningRateSchedule schedule = LearningRateSchedule.CONSTANT;
    private boolean memoryReport;
    private Dataset validation;
    private int patience;
    private Path checkpointPath;
    private Map<String, Object> checkpointMetadata = Map.of();
    private Checkpoint resumeFrom;
    private Consumer<EpochResult> epochListener;
    private Consumer<StepResult> stepListener;
    private TrainingControl control;
    private double clipNorm, clipValue;
    /** Where each step's activations and gradients live; reused by the next step (see {@link Arena}). */
    private final Arena arena = new Arena();
    /** Epoch and step (0: the evaluation after it) of the running step, for the report of anomaly detection. */
    private int anomalyEpoch, anomalyStep;

    public Trainer(Module model, Optimizer optimizer, CrossEntropyLoss loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
    }

    /** Where progress goes (null for silence); the bar is drawn only when that is standard output on a terminal. */
    public Trainer output(PrintStream out) {
        return output(out, out == System.out && Progress.isTerminal());
    }

    /** Where progress goes (null for silence) and whether to draw a bar; by default stdout, bar on a terminal. */
    public Trainer output(PrintStream out, boolean progressBar) {
        this.out = out;
        this.progressBar = progressBar;
        return this;
    }

    /** Whether each epoch also reports bytes allocated per step, peak heap and garbage collections. */
    public Trainer memoryReport(boolean on) {
        this.memoryReport = on;
        return this;
    }

    /** How the learning rate moves from the optimizer's base rate over the run; constant by default. */
    public Trainer schedule(LearningRateSchedule schedule) {
        this.schedule = schedule;
        return this;
    }

    /** A held-out set evaluated after every epoch (null for none); see {@link ValidationSplit}. */
    public Trainer validation(Dataset validation) {
        this.validation = validation;
        return this;
    }

    /**
     * Stops when validation accuracy has not improved for {@code patience} epochs and keeps the best weights;
     * 0 turns it off (the default). Needs a validation set.
     */
    public Trainer earlyStopping(int patience) {
        if (patience < 0) throw new IllegalArgumentException("patience must not be negative, got " + patience);
        this.patience = patience;
        return this;
    }

    /** Writes a checkpoint to {@code path} after every epoch (null: none), with {@code metadata} in it. */
    public Trainer checkpoint(Path path, Map<String, Object> metadata) {
        this.checkpointPath = path;
        this.checkpointMetadata = metadata == null ? Map.of() : metadata;
        return this;
    }

    /**
     * Continues the run saved in {@code checkpoint}: the next {@link #fit} loads its weights into the model and
     * its state into the optimizer and carries on after its last epoch. The run must be the same one: same
     * seed, batch size and training-set size (checked), model and optimizer kind (the latter checked). A
     * checkpoint whose run had finished (all epochs done, or stopped early) trains nothing more: the run ends as it
     * ended then, so a process killed between its last checkpoint and saving its model can still finish.
     */
    public Trainer resume(Checkpoint checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /**
     * Clips the gradients' total L2 norm to {@code maxNorm} before every step, as PyTorch's
     * {@code clip_grad_norm_} ({@link GradClipping}); 0 turns it off (the default).
     */
    public Trainer clipGradNorm(double maxNorm) {
        if (!(maxNorm >= 0) || Double.isInfinite(maxNorm)) throw new IllegalArgumentException("max norm must be a non-negative number, got " + maxNorm);
        this.clipNorm = maxNorm;
        return this;
    }

    /**
     * Clamps every gradient element to [-clipValue, clipValue] before every step, as PyTorch's
     * {@code clip_grad_value_}, after norm clipping when both are on (as Keras does); 0 turns it off (the default).
     */
    public Trainer clipGradValue(double clipValue) {
        if (!(clipValue >= 0) || Double.isInfinite(clipValue)) throw new IllegalArgumentException("clip value must be a non-negative number, got " + clipValue);
        this.clipValue = clipValue;
        return this;
    }

    /** Called after each epoch, once its line is printed and its checkpoint written. */
    public Trainer onEpochEnd(Consumer<EpochResult> listener) {
        this.epochListener = listener;
        return this;
    }

    /** Called on the training thread after each step, once the model's lock is released; keep it quick. */
    public Trainer onStep(Consumer<StepResult> listener) {
        this.stepListener = listener;
        return this;
    }

    /** Lets {@code control} pause the run and change hyperparameters between steps; see {@link TrainingControl}. */
    public Trainer control(TrainingControl control) {
        this.control = control;
        return this;
    }

    /** Trains for {@code epochs} epochs; {@code test} may be null. Batches are shuffled from {@code seed}. */
    public List<EpochResult> fit(Dataset train, Dataset test, int epochs, int batchSize, long seed) {
        return run(train, test, epochs, batchSize, seed).history();
    }

    /**
     * Trains until epoch {@code epochs} (counting the epochs of a resumed checkpoint), or until early stopping;
     * {@code test} may be null. Batches are shuffled from {@code seed}.
     */
    public Outcome run(Dataset train, Dataset test, int epochs, int batchSize, long seed) {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        if (patience > 0 && validation == null) throw new IllegalStateException("early stopping needs a validation set");
        DataLoader loader = new DataLoader(train, batchSize, true, seed);
        Progress progress = new Progress(out == null ? new PrintStream(PrintStream.nullOutputStream()) : out, progressBar && out != null);
        int stepsPerEpoch = loader.batchesPerEpoch();
        long totalSteps = (long) epochs * stepsPerEpoch, globalStep = 0;
        List<EpochResult> history = new ArrayList<>();
        int firstEpoch = 1, bestEpoch = 0, sinceBest = 0;
        double bestAccuracy = Double.NEGATIVE_INFINITY;
        Map<String, Tensor> bestState = null;
        boolean finishedBefore = false;
        if (resumeFrom != null) {
            Map<String, Object> t = resumeFrom.training();
            checkSame(t, "seed", seed, "seed");
            checkSame(t, "batchSize", batchSize, "batch size");
            checkSame(t, "trainSize", train.size(), "training-set size");
            checkSame(t, "stepsPerEpoch", stepsPerEpoch, "steps per epoch");
            int done = (int) number(t, "epoch");
            if (done > epochs) {
                throw new IllegalArgumentException("the checkpoint has already completed " + epochs(done) + "; ask for more than " + done + " to train further");
            }
            if (resumeFrom.model() != model) model.loadStateDict(resumeFrom.model().stateDict());
            if (resumeFrom.optimizer() == null) throw new IllegalArgumentException("the checkpoint holds no optimizer state");
            optimizer.importState(resumeFrom.optimizer());
            firstEpoch = done + 1;
            globalStep = (long) done * stepsPerEpoch;
            if (t.get("history") instanceof List<?> h) for (Object o : h) if (o instanceof Map<?, ?> m) history.add(epochFromJson(m));
            if (t.get("earlyStopping") instanceof Map<?, ?> es) {
                bestEpoch = (int) number(es, "bestEpoch");
                bestAccuracy = es.get("bestAccuracy") instanceof Number n ? n.doubleValue() : Double.NEGATIVE_INFINITY;
                sinceBest = (int) number(es, "sinceBest");
                Map<String, Tensor> best = new LinkedHashMap<>();
                for (var e : resumeFrom.tensors().entrySet()) {
                    if (e.getKey().startsWith("best/")) best.put(e.getKey().substring(5), e.getValue());
                }
                if (!best.isEmpty()) bestState = best;
            }
            // A run killed after its last checkpoint but before its caller saved the model resumes to just that.
            finishedBefore = done == epochs || patience > 0 && sinceBest >= patience;
            progress.line(!finishedBefore ? String.format("Resuming after epoch %d of %d", done, epochs)
                    : done == epochs ? String.format("The checkpoint has completed all %s: nothing left to train", epochs(epochs))
                    : String.format("The checkpointed run stopped early (no improvement for %s, patience %d): nothing left to train; "
                            + "a larger patience lets it go on", epochs(sinceBest), patience));
        }
        double baseLr = optimizer.learningRate();
        if (control != null) control.attach(optimizer, batchSize, baseLr);
        Rng callersRng = Rng.global();
        boolean stopped = finishedBefore && patience > 0 && sinceBest >= patience;
        int lastEpoch = firstEpoch - 1;
        Evaluation lastTest = null;
        try {
            for (int epoch = firstEpoch; epoch <= epochs && !finishedBefore; epoch++) {
                Rng.swapGlobal(epochRng(seed, epoch));
                if (control != null && control.batchSize() != loader.batchSize()) {
                    // A new batch size from this epoch on; the schedule keeps its place by epochs.
                    loader = new DataLoader(train, control.batchSize(), true, seed);
                    stepsPerEpoch = loader.batchesPerEpoch();
                    globalStep = (long) (epoch - 1) * stepsPerEpoch;
                    totalSteps = (long) epochs * stepsPerEpoch;
                }
                loader.setEpoch(epoch - 1);
                model.train();
                MemoryReport memory = memoryReport ? MemoryReport.start() : null;
                long start = System.nanoTime();
                double lossSum = 0;
                long correct = 0, seen = 0;
                int step = 0;
                String prefix = String.format("epoch %d/%d", epoch, epochs);
                for (Batch b : loader) {
                    step++;
                    if (control != null) {
                        start += control.beforeStep();
                        baseLr = control.applyChanges(optimizer, baseLr);
                    }
                    anomalyEpoch = epoch;
                    anomalyStep = step;
                    double lv;
                    int stepCorrect;
                    // Activations and their gradients live in the arena until the scope closes; what the step
                    // reports (loss, correct count) is read inside it, and the parameters' gradients are not in it.
                    try (Arena.Scope scope = arena.open()) {
                        Tensor logits, l;
                        if (model instanceof AuxiliaryOutputs aux) {
                            AuxiliaryOutputs.Outputs o = aux.forwardTraining(b.images());
                            logits = o.logits();
                            l = loss.forward(logits, b.labels());
                            for (Tensor side : o.auxiliary()) l = l.add(loss.forward(side, b.labels()).mul(o.weight()));
                        } else {
                            logits = model.call(b.images());
                            l = loss.forward(logits, b.labels());
                        }
                        lv = l.item();
                        if (!Double.isFinite(lv)) throw new TrainingDivergedException(epoch, step, lv, firstNonFiniteLayer(b.images()));
                        stepCorrect = countCorrect(logits, b.labels());
                        optimizer.zeroGrad();
                        l.backward();
                    }
                    if (clipNorm > 0) GradClipping.clipGradNorm(model.parameters(), clipNorm);
                    if (clipValue > 0) GradClipping.clipGradValue(model.parameters(), clipValue);
                    long s = globalStep++;
                    optimizer.setLearningRate(baseLr * schedule.factor(s, totalSteps, stepsPerEpoch));
                    double cycled = schedule.momentum(s, totalSteps, stepsPerEpoch);
                    if (!Double.isNaN(cycled)) optimizer.setCycledMomentum(cycled);
                    optimizer.step();
                    lossSum += lv * b.size();
                    correct += stepCorrect;
                    seen += b.size();
                    if (memory != null) memory.sample();
                    double secs = (System.nanoTime() - start) / 1e9;
                    progress.update(prefix, step, stepsPerEpoch, String.format("loss %.4f  acc %.2f%%  %,.0f img/s", lossSum / seen, 100.0 * correct / seen, seen / secs));
                    if (control != null) control.afterStep();
                    if (stepListener != null) {
                        stepListener.accept(new StepResult(epoch, step, stepsPerEpoch, globalStep, lv, (double) stepCorrect / b.size(),
                                lossSum / seen, (double) correct / seen, seen / secs, optimizer.learningRate(), b.size()));
                    }
                }
                anomalyStep = 0;
                double secs = (System.nanoTime() - start) / 1e9;
                String memoryLine = memory == null ? null : memory.line(step, arena.heldBytes());
                int evalBatch = Math.max(batchSize, 256);
                Evaluation val = validation == null ? null : evaluate(model, validation, evalBatch);
                Evaluation ev = test == null ? null : evaluate(model, test, evalBatch);
                lastTest = ev;
                EpochResult r = new EpochResult(epoch, lossSum / seen, (double) correct / seen,
                        ev == null ? Double.NaN : ev.loss(), ev == null ? Double.NaN : ev.accuracy(), seen / secs, secs,
                        val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy());
                history.add(r);
                lastEpoch = epoch;
                progress.line(String.format("%s  loss %.4f  train acc %.2f%%%s%s  %,.0f img/s  %.1fs", prefix, r.trainLoss(), 100 * r.trainAccuracy(),
                        val == null ? "" : String.format("  val acc %.2f%%", 100 * r.validationAccuracy()),
                        ev == null ? "" : String.format("  test acc %.2f%%", 100 * r.testAccuracy()), r.imagesPerSecond(), secs));
                if (memoryLine != null) progress.line("  " + memoryLine);
                if (val != null) {
                    if (val.accuracy() > bestAccuracy) {
                        bestAccuracy = val.accuracy();
                        bestEpoch = epoch;
                        sinceBest = 0;
                        if (patience > 0) bestState = copyState(model);
                    } else {
                        sinceBest++;
                    }
                    stopped = patience > 0 && sinceBest >= patience;
                }
                if (checkpointPath != null) {
                    saveCheckpoint(epoch, epochs, globalStep, stepsPerEpoch, loader.batchSize(), seed, train.size(), history,
                            bestEpoch, bestAccuracy, sinceBest, stopped, bestState);
                }
                if (stopped) {
                    progress.line(String.format("Early stopping: validation accuracy has not improved for %s since epoch %d (%.2f%%)",
                            epochs(sinceBest), bestEpoch, 100 * bestAccuracy));
                }
                if (epochListener != null) epochListener.accept(r);
                if (stopped || control != null && control.isStopRequested()) break;
            }
        } catch (AnomalyException e) {
            throw e.atStep(anomalyStep == 0 ? "evaluation after epoch " + anomalyEpoch
                    : String.format("epoch %d, step %d of %d", anomalyEpoch, anomalyStep, stepsPerEpoch));
        } finally {
            if (control != null) control.afterStep();
            Rng.swapGlobal(callersRng);
            optimizer.setLearningRate(baseLr);
        }
        if (patience > 0 && bestState != null && bestEpoch != lastEpoch) {
            model.loadStateDict(bestState);
            progress.line(String.format("Restored the weights of epoch %d (validation accuracy %.2f%%)", bestEpoch, 100 * bestAccuracy));
            lastTest = test == null ? null : evaluate(model, test, Math.max(batchSize, 256));
        } else if (finishedBefore && test != null) {
            lastTest = evaluate(model, test, Math.max(batchSize, 256));
        }
        return new Outcome(List.copyOf(history), bestEpoch, bestEpoch == 0 ? Double.NaN : bestAccuracy, stopped, lastTest);
    }

    private void saveCheckpoint(int epoch, int epochs, long globalStep, int stepsPerEpoch, int batchSize, long seed, int trainSize,
                                List<EpochResult> history, int bestEpoch, double bestAccuracy, int sinceBest, boolean stopped,
                                Map<String, Tensor> bestState) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("epoch", epoch);
        t.put("epochs", epochs);
        t.put("step", globalStep);
        t.put("stepsPerEpoch", stepsPerEpoch);
        t.put("batchSize", batchSize);
        t.put("seed", seed);
        t.put("trainSize", trainSize);
        t.put("rng", "the global generator is reseeded from (seed, epoch) at the start of every epoch; the loader's order depends on (seed, epoch)");
        List<Object> h = new ArrayList<>();
        for (EpochResult r : history) h.add(epochToJson(r));
        t.put("history", h);
        Map<String, Tensor> extra = new LinkedHashMap<>();
        if (validation != null) {
            Map<String, Object> es = new LinkedHashMap<>();
            es.put("patience", patience);
            es.put("bestEpoch", bestEpoch);
            es.put("bestAccuracy", bestEpoch == 0 ? null : (Object) bestAccuracy);
            es.put("sinceBest", sinceBest);
            es.put("stopped", stopped);
            t.put("earlyStopping", es);
            if (bestState != null) for (var e : bestState.entrySet()) extra.put("best/" + e.getKey(), e.getValue());
        }
        try {
            new Checkpoint(model, optimizer.exportState(), t, extra, checkpointMetadata).save(checkpointPath);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint " + checkpointPath + ": " + e.getMessage(), e);
        }
    }

    private static String epochs(int n) {
        return n + (n == 1 ? " epoch" : " epochs");
    }

    private static Map<String, Object> epochToJson(EpochResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", r.epoch());
        m.put("trainLoss", finiteOrNull(r.trainLoss()));
        m.put("trainAccuracy", finiteOrNull(r.trainAccuracy()));
        m.put("testLoss", finiteOrNull(r.testLoss()));
        m.put("testAccuracy", finiteOrNull(r.testAccuracy()));
        m.put("imagesPerSecond", finiteOrNull(r.imagesPerSecond()));
        m.put("seconds", finiteOrNull(r.seconds()));
        m.put("validationLoss", finiteOrNull(r.validationLoss()));
        m.put("validationAccuracy", finiteOrNull(r.validationAccuracy()));
        return m;
    }

    private static EpochResult epochFromJson(Map<?, ?> m) {
        return new EpochResult((int) number(m, "epoch"), orNaN(m, "trainLoss"), orNaN(m, "trainAccuracy"), orNaN(m, "testLoss"),
                orNaN(m, "testAccuracy"), orNaN(m, "imagesPerSecond"), orNaN(m, "seconds"), orNaN(m, "validationLoss"), orNaN(m, "validationAccuracy"));
    }

    private static Map<String, Tensor> copyState(Module model) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        for (var e : model.stateDict().entrySet()) copy.put(e.getKey(), e.getValue().copy());
        return copy;
    }

    /**
     * The generator that stands in for the global one during epoch {@code epoch}: a pure function of (seed,
     * epoch), distinct from the loader's shuffling stream. SplitMix64's finaliser makes neighbouring pairs unrelated.
     */
    static Rng epochRng(long seed, int epoch) {
        long z = (seed ^ 0x2545F4914F6CDD1DL) + 0xD1B54A32D192ED03L * (epoch + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Rng(z ^ (z >>> 31));
    }

    /** Runs the batch again without recording, watching every module call: the first non-finite output, or null. */
    private String firstNonFiniteLayer(Tensor images) {
        if (!allFinite(images)) return "the input batch";
        Map<Module, String> paths = new IdentityHashMap<>();
        for (var e : model.namedModules().entrySet()) paths.put(e.getValue(), e.getKey());
        String[] found = {null};
        try (var ignored = Autograd.noGrad()) {
            Module.observeCalls((m, in, y) -> {
                if (found[0] == null && !allFinite(y)) {
                    String path = paths.get(m);
                    found[0] = path == null ? m.typeName() : path.isEmpty() ? "the model's own output (" + m.typeName() + ")" : "layer " + path + " (" + m.typeName() + ")";
                }
            }, () -> model.call(images));
        } catch (RuntimeException e) {
            // A diagnosis only: if the second pass fails, report without it.
        }
        return found[0];
    }

    private static boolean allFinite(Tensor t) {
        Buf b = t.contiguous().buf();
        if (b instanceof Buf.F32 f) {
            for (float v : f.a) if (!Float.isFinite(v)) return false;
            return true;
        }
        for (int i = 0, n = b.length(); i < n; i++) if (!Double.isFinite(b.get(i))) return false;
        return true;
    }

    /** Evaluates in evaluation mode without recording a graph; top-5 unless there are fewer classes. */
    public static Evaluation evaluate(Module model, Dataset data, int batchSize) {
        return evaluate(model, data, batchSize, 5);
    }

    /**
     * Evaluates in evaluation mode without recording a graph; the model's mode is restored afterwards. A sample
     * counts for top-k when fewer than k classes score above its true class (ties go to the lower class index, as
     * for top-1, so top-1 equals the accuracy). {@code k} is capped at the class count.
     */
    public static Evaluation evaluate(Module model, Dataset data, int batchSize, int topK) {
        if (topK < 1) throw new IllegalArgumentException("top-k needs k >= 1, got " + topK);
        int k = data.numClasses();
        int kk = Math.min(topK, k);
        int[][] confusion = new int[k][k];
        double lossSum = 0;
        long correct = 0, inTopK = 0;
        boolean was = model.isTraining();
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            for (Batch b : new DataLoader(data, batchSize, false, 0)) {
                Tensor logits = model.call(b.images());
                lossSum += Losses.crossEntropy(logits, b.labels(), 0).item() * b.size();
                int[] pred = logits.argmax(1);
                Buf lb = logits.contiguous().buf();
                int c = logits.size(1);
                for (int i = 0; i < pred.length; i++) {
                    int y = b.labels()[i];
                    confusion[y][pred[i]]++;
                    if (pred[i] == y) correct++;
                    double truth = lb.get(i * c + y);
                    int above = 0;
                    for (int j = 0; j < c && above < kk; j++) {
                        double v = lb.get(i * c + j);
                        if (v > truth || v == truth && j < y) above++;
                    }
                    if (above < kk) inTopK++;
                }
            }
        } finally {
            model.train(was);
        }
        return new Evaluation(lossSum / data.size(), (double) correct / data.size(), confusion, kk, (double) inTopK / data.size());
    }

    private static int countCorrect(Tensor logits, int[] labels) {
        int[] pred = logits.argmax(1);
        int c = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == labels[i]) c++;
        return c;
    }
}
