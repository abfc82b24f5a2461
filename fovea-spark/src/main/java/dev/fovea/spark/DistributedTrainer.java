package dev.fovea.spark;

import dev.fovea.data.Batch;
import dev.fovea.data.DataLoader;
import dev.fovea.data.Dataset;
import dev.fovea.io.Architecture;
import dev.fovea.io.Checkpoint;
import dev.fovea.io.Json;
import dev.fovea.nn.Module;
import dev.fovea.optim.LearningRateSchedule;
import dev.fovea.optim.Optimizer;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Trainer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static dev.fovea.train.RunRecord.checkSame;
import static dev.fovea.train.RunRecord.finiteOrNull;
import static dev.fovea.train.RunRecord.number;
import static dev.fovea.train.RunRecord.orNaN;

/**
 * Synchronous data-parallel training on Spark: the single-machine {@link Trainer}'s run, with each mini-batch's
 * gradient computed by the partitions that hold its samples.
 *
 * <p><b>A round.</b> The driver broadcasts the parameters as one flat {@code float[]} (with the buffers, such as
 * batch-norm running statistics); every partition computes, with Fovea's autograd, the summed loss gradient of the
 * samples of the global batch that lie in its shard; {@code treeAggregate} adds the partitions' sums and example
 * counts; the driver divides by the count, hands the mean gradient to its optimizer (the same {@link Optimizer}
 * class and object the single-machine trainer steps), and destroys the broadcast.
 *
 * <p><b>The same batches.</b> The global batches are exactly the single-machine trainer's: the {@link DataLoader}
 * order of (seed, epoch) over the training set's indices, batch by batch, the last one of an epoch smaller. So with
 * one local step and no batch normalisation, N rounds give the weights of N single-machine steps, up to the order in
 * which float32 sums are added (the tests bound it). Each partition's share of a batch is the batch's samples that
 * fall in its shard, about batch / partitions of them.
 *
 * <p><b>Batch normalisation.</b> In training, each partition normalises its share of the batch with that share's
 * own statistics (as PyTorch's DistributedDataParallel does without SyncBatchNorm), and updates its copy of the
 * running statistics from them; the driver then sets each running statistic to the average of the partitions'
 * values, weighted by their example counts. {@code num_batches_tracked} goes up by one per round (per step).
 *
 * <p><b>Local SGD.</b> With {@link #localSteps(int) k} above 1, a round covers k global batches: every partition
 * makes its own optimizer ({@link OptimizerFactory}), loads the driver's optimizer state, and takes a step after
 * its share of each batch; then the driver sets the weights, the buffers and the optimizer's state tensors to the
 * partitions' averages, weighted by the examples each saw, and the step counts to the largest. Communication falls
 * by k, but the partitions drift apart between averages, which costs accuracy (BENCHMARKS.md measures it).
 *
 * <p><b>Faults.</b> A task that fails or an executor that is lost is retried by Spark (up to
 * {@code spark.task.maxFailures}), and a lost shard is read again from the files; a round's result depends only on
 * the broadcast weights and the shards, so a retried round gives the same update.
 *
 * <p><b>Checkpoints.</b> With {@link #checkpoint(Path, int, Map)} the driver writes the model, its optimizer state and
 * the run's counters ({@link Checkpoint}, the same file format as single-machine checkpoints) every N rounds and at
 * the end of every epoch; {@link #resume(Checkpoint)} continues from one, in the middle of an epoch if need be, with
 * the same batches as an uninterrupted run.
 *
 * <p>Not carried over from the single-machine trainer (yet): validation splits, early stopping, dropout masks that
 * repeat from run to run (each executor draws from its own generator), and augmentation.
 */
public final class DistributedTrainer {
    /** One epoch's numbers; accuracies in [0, 1], NaN without a test set; seconds split as the rounds spent them. */
    public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                              double imagesPerSecond, double seconds, int rounds, double computeSeconds,
                              double communicationSeconds, double updateSeconds) {}

    /**
     * One round: its number counting from 1 over the run, its place in the epoch, the mean training loss and
     * accuracy of its examples, and its seconds: compute is the slowest partition's, update the driver's optimizer
     * step, communication the rest of the round's wall time (broadcast, scheduling, serialisation, the aggregation).
     */
    public record RoundResult(long round, int epoch, int roundInEpoch, int roundsInEpoch, double loss, double accuracy,
                              long examples, double seconds, double computeSeconds, double communicationSeconds, double updateSeconds) {}

    /** Every epoch's numbers (including those before a resume) and the last test evaluation (null without a test set). */
    public record Outcome(List<EpochResult> history, Trainer.Evaluation test) {}

    private final JavaSparkContext sc;
    private final Module model;
    private final OptimizerFactory optimizerFactory;
    private final Optimizer optimizer;
    private final double labelSmoothing;
    private PrintStream out = System.out;
    private LearningRateSchedule schedule = LearningRateSchedule.CONSTANT;
    private int localSteps = 1;
    private int treeDepth = 2;
    private int logEvery;
    private Path checkpointPath;
    private int checkpointEvery;
    private Map<String, Object> checkpointMetadata = Map.of();
    private Checkpoint resumeFrom;
    private Consumer<RoundResult> roundListener;

    /**
     * @param model            trained in place on the driver; every executor gets a copy of its architecture once
     * @param optimizer        makes the driver's optimizer (now) and, with local SGD, each partition's
     * @param labelSmoothing   of the cross-entropy loss, as {@link dev.fovea.nn.CrossEntropyLoss}'s
     */
    public DistributedTrainer(JavaSparkContext sc, Module model, OptimizerFactory optimizer, double labelSmoothing) {
        this.sc = sc;
        this.model = model;
        this.optimizerFactory = optimizer;
        this.optimizer = optimizer.create(model);
        this.labelSmoothing = labelSmoothing;
    }

    /** The driver's optimizer: the object every synchronous round's update goes through. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** Where progress goes; null for silence. */
    public DistributedTrainer output(PrintStream out) {
        this.out = out;
        return this;
    }

    public DistributedTrainer schedule(LearningRateSchedule schedule) {
        this.schedule = schedule;
        return this;
    }

    /** k = 1 (the default): synchronous SGD, one gradient per round; k > 1: local SGD, k steps per round. */
    public DistributedTrainer localSteps(int k) {
        if (k < 1) throw new IllegalArgumentException("local steps must be at least 1, got " + k);
        this.localSteps = k;
        return this;
    }

    /** The depth of treeAggregate's tree (2 by default, as Spark's). */
    public DistributedTrainer treeDepth(int depth) {
        if (depth < 1) throw new IllegalArgumentException("tree depth must be at least 1, got " + depth);
        this.treeDepth = depth;
        return this;
    }

    /** Prints a line every {@code rounds} rounds (0, the default: about ten lines an epoch; negative: epoch lines only). */
    public DistributedTrainer logEvery(int rounds) {
        this.logEvery = rounds;
        return this;
    }

    /** Writes a checkpoint to {@code path} every {@code everyRounds} rounds and after every epoch. */
    public DistributedTrainer checkpoint(Path path, int everyRounds, Map<String, Object> metadata) {
        if (everyRounds < 1) throw new IllegalArgumentException("checkpoint interval must be at least 1 round, got " + everyRounds);
        this.checkpointPath = path;
        this.checkpointEvery = everyRounds;
        this.checkpointMetadata = metadata == null ? Map.of() : metadata;
        return this;
    }

    /** Continues the run of {@code checkpoint}: same seed, batch size, training-set size, partitions and local steps. */
    public DistributedTrainer resume(Checkpoint checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /** Called after every round, once its checkpoint (if due) is written. */
    public DistributedTrainer onRound(Consumer<RoundResult> listener) {
        this.roundListener = listener;
        return this;
    }

    /** Trains until epoch {@code epochs}; {@code test} may be null. */
    public Outcome run(DistributedDataset train, DistributedDataset test, int epochs, int batchSize, long seed) {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        int n = train.size();
        DataLoader plan = new DataLoader(new Indices(n), batchSize, true, seed).prefetch(false);
        int stepsPerEpoch = plan.batchesPerEpoch();
        int roundsPerEpoch = (stepsPerEpoch + localSteps - 1) / localSteps;
        long totalSteps = (long) epochs * stepsPerEpoch;
        List<EpochResult> history = new ArrayList<>();
        int firstEpoch = 1, firstRound = 0;
        long round = 0;
        Partial partial = new Partial();
        if (resumeFrom != null) {
            Map<String, Object> t = resumeFrom.training();
            checkSame(t, "seed", seed, "seed");
            checkSame(t, "batchSize", batchSize, "batch size");
            checkSame(t, "trainSize", n, "training-set size");
            checkSame(t, "partitions", train.partitions(), "partition count");
            checkSame(t, "localSteps", localSteps, "local step count");
            int epoch = (int) number(t, "epoch");
            int done = (int) number(t, "roundInEpoch");
            if (epoch > epochs || epoch == epochs && done >= roundsPerEpoch) {
                throw new IllegalArgumentException("the checkpoint has already completed " + epoch + " epochs; ask for more to train further");
            }
            if (resumeFrom.model() != model) model.loadStateDict(resumeFrom.model().stateDict());
            if (resumeFrom.optimizer() == null) throw new IllegalArgumentException("the checkpoint holds no optimizer state");
            optimizer.importState(resumeFrom.optimizer());
            round = number(t, "round");
            if (t.get("history") instanceof List<?> h) for (Object o : h) if (o instanceof Map<?, ?> m) history.add(epochFromJson(m));
            if (done >= roundsPerEpoch) {
                firstEpoch = epoch + 1;
            } else {
                firstEpoch = epoch;
                firstRound = done;
                if (t.get("partial") instanceof Map<?, ?> p) partial = Partial.fromJson(p);
            }
            line(String.format("Resuming at epoch %d of %d, round %d of %d", firstEpoch, epochs, firstRound + 1, roundsPerEpoch));
        }
        int logInterval = logEvery == 0 ? Math.max(1, roundsPerEpoch / 10) : logEvery;
        boolean local = localSteps > 1;
        Broadcast<Worker.Job> job = sc.broadcast(new Worker.Job(Json.write(Architecture.describe(model)), labelSmoothing, local ? optimizerFactory : null));
        double baseLr = optimizer.learningRate();
        Trainer.Evaluation lastTest = null;
        try {
            for (int epoch = firstEpoch; epoch <= epochs; epoch++) {
                plan.setEpoch(epoch - 1);
                List<int[]> batches = new ArrayList<>(stepsPerEpoch);
                for (Batch b : plan) batches.add(b.indices());
                String prefix = String.format("epoch %d/%d", epoch, epochs);
                for (int r = (epoch == firstEpoch ? firstRound : 0); r < roundsPerEpoch; r++) {
                    int from = r * localSteps, to = Math.min(stepsPerEpoch, from + localSteps);
                    int[][] mine = batches.subList(from, to).toArray(int[][]::new);
                    double[] lrs = new double[to - from];
                    long step0 = (long) (epoch - 1) * stepsPerEpoch + from;
                    double[] momenta = new double[lrs.length];
                    for (int j = 0; j < lrs.length; j++) {
                        lrs[j] = baseLr * schedule.factor(step0 + j, totalSteps, stepsPerEpoch);
                        momenta[j] = schedule.momentum(step0 + j, totalSteps, stepsPerEpoch);
                    }
                    RoundResult rr = round(train, job.value(), job, new Worker.Task(mine, lrs, momenta, local), ++round, epoch, r, roundsPerEpoch);
                    partial.add(rr);
                    if (logInterval > 0 && ((r + 1) % logInterval == 0 || r + 1 == roundsPerEpoch) && r + 1 < roundsPerEpoch) {
                        line(String.format("%s  round %d/%d  loss %.4f  acc %.2f%%  %,.0f img/s  %.3f s/round (compute %.3f, communication %.3f, update %.3f)",
                                prefix, r + 1, roundsPerEpoch, partial.lossSum / partial.seen, 100.0 * partial.correct / partial.seen,
                                partial.seen / partial.seconds, partial.seconds / partial.rounds, partial.compute / partial.rounds,
                                partial.communication / partial.rounds, partial.update / partial.rounds));
                    }
                    boolean epochDone = r + 1 == roundsPerEpoch;
                    if (!epochDone && checkpointPath != null && round % checkpointEvery == 0) {
                        saveCheckpoint(round, epoch, r + 1, epochs, batchSize, seed, n, train.partitions(), stepsPerEpoch, history, partial);
                    }
                    if (epochDone) {
                        Trainer.Evaluation ev = test == null ? null : evaluate(sc, model, test, 5);
                        lastTest = ev;
                        EpochResult er = new EpochResult(epoch, partial.lossSum / partial.seen, (double) partial.correct / partial.seen,
                                ev == null ? Double.NaN : ev.loss(), ev == null ? Double.NaN : ev.accuracy(), partial.seen / partial.seconds,
                                partial.seconds, partial.rounds, partial.compute, partial.communication, partial.update);
                        history.add(er);
                        line(String.format("%s  loss %.4f  train acc %.2f%%%s  %,.0f img/s  %.1fs (%d rounds: compute %.1fs, communication %.1fs, update %.1fs)",
                                prefix, er.trainLoss(), 100 * er.trainAccuracy(), ev == null ? "" : String.format("  test acc %.2f%%", 100 * er.testAccuracy()),
                                er.imagesPerSecond(), er.seconds(), er.rounds(), er.computeSeconds(), er.communicationSeconds(), er.updateSeconds()));
                        partial = new Partial();
                        if (checkpointPath != null) saveCheckpoint(round, epoch, roundsPerEpoch, epochs, batchSize, seed, n, train.partitions(), stepsPerEpoch, history, partial);
                    }
                    if (roundListener != null) roundListener.accept(rr);
                }
            }
        } finally {
            optimizer.setLearningRate(baseLr);
            job.destroy();
        }
        return new Outcome(List.copyOf(history), lastTest);
    }

    /** One round: broadcast, per-partition work, treeAggregate, update, and the broadcast destroyed. */
    private RoundResult round(DistributedDataset train, Worker.Job jobValue, Broadcast<Worker.Job> job, Worker.Task task,
                              long number, int epoch, int r, int roundsPerEpoch) {
        long t0 = System.nanoTime();
        List<Tensor> params = model.parameters();
        Collection<Tensor> buffers = model.namedBuffers().values();
        Broadcast<Worker.Weights> weights = sc.broadcast(new Worker.Weights(Flat.of(params), Flat.of(buffers),
                task.local() ? OptimizerSnapshot.of(optimizer.exportState()) : null));
        Contribution c;
        try {
            c = train.shards().treeAggregate(new Contribution(),
                    (acc, shard) -> acc.merge(Worker.train(shard, job.value(), weights.value(), task)),
                    Contribution::merge, treeDepth);
        } finally {
            weights.destroy();
        }
        long t1 = System.nanoTime();
        if (c.count == 0) throw new IllegalStateException("round " + number + ": no partition held any sample of its batches");
        if (!Double.isFinite(c.lossSum)) {
            throw new IllegalStateException(String.format("training diverged: the loss of round %d (epoch %d) is %s; try a lower learning rate",
                    number, epoch, c.lossSum / c.count));
        }
        if (task.local()) averageLocal(c, params, buffers);
        else applyGradient(c, params, buffers, task.learningRates()[0], task.momenta()[0]);
        long t2 = System.nanoTime();
        double seconds = (t2 - t0) / 1e9, update = (t2 - t1) / 1e9;
        double compute = Math.min(c.computeSeconds, (t1 - t0) / 1e9);
        return new RoundResult(number, epoch, r + 1, roundsPerEpoch, c.lossSum / c.count, (double) c.correct / c.count, c.count,
                seconds, compute, seconds - compute - update, update);
    }

    /** Synchronous SGD: the mean gradient into the parameters' grad, one optimizer step, the averaged buffers. */
    private void applyGradient(Contribution c, List<Tensor> params, Collection<Tensor> buffers, double lr, double momentum) {
        optimizer.zeroGrad();
        // Tensors have no gradient setter; the gradient of sum(p * g) with respect to p is g, exactly (1 * g).
        Tensor surrogate = null;
        float count = c.count;
        int at = 0;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            int k = p.numel();
            if (c.hasGradient[i]) {
                float[] g = new float[k];
                for (int j = 0; j < k; j++) g[j] = c.gradients[at + j] / count;
                Tensor term = p.mul(Tensor.of(g, p.shape())).sum();
                surrogate = surrogate == null ? term : surrogate.add(term);
            }
            at += k;
        }
        if (surrogate != null) surrogate.backward();
        optimizer.setLearningRate(lr);
        if (!Double.isNaN(momentum)) optimizer.setCycledMomentum(momentum);
        optimizer.step();
        optimizer.zeroGrad();
        loadAverage(buffers, c.buffers, count);
    }

    /** Local SGD: weights, buffers and optimizer state set to the partitions' example-weighted averages. */
    private void averageLocal(Contribution c, List<Tensor> params, Collection<Tensor> buffers) {
        float count = c.count;
        loadAverage(params, c.parameters, count);
        loadAverage(buffers, c.buffers, count);
        Optimizer.State template = c.optimizerTemplate.toState();
        Map<String, Object> info = new LinkedHashMap<>(template.info());
        List<Object> steps = new ArrayList<>();
        for (long s : c.steps) steps.add(s);
        info.put("steps", steps);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : c.optimizerState.entrySet()) {
            float[] v = e.getValue();
            for (int j = 0; j < v.length; j++) v[j] /= count;
            tensors.put(e.getKey(), Tensor.of(v, c.optimizerTemplate.shapes().get(e.getKey())));
        }
        optimizer.importState(new Optimizer.State(template.type(), info, tensors));
    }

    private static void loadAverage(Collection<Tensor> ts, float[] sums, float count) {
        if (sums == null || ts.isEmpty()) return;
        for (int j = 0; j < sums.length; j++) sums[j] /= count;
        Flat.load(ts, sums);
    }

    /**
     * Evaluates {@code model} on a distributed dataset, partition by partition with the single-machine
     * {@link Trainer#evaluate}, and adds up the confusion matrices; the weights are broadcast once.
     */
    public static Trainer.Evaluation evaluate(JavaSparkContext sc, Module model, DistributedDataset data, int topK) {
        String architecture = Json.write(Architecture.describe(model));
        Broadcast<Worker.Weights> w = sc.broadcast(new Worker.Weights(Flat.of(model.parameters()), Flat.of(model.namedBuffers().values()), null));
        try {
            Worker.Evaluation sum = data.shards().treeAggregate(new Worker.Evaluation(),
                    (acc, shard) -> acc.merge(Worker.evaluate(shard, architecture, w.value(), topK)),
                    Worker.Evaluation::merge, 2);
            return sum.result();
        } finally {
            w.destroy();
        }
    }

    // ---------------------------------------------------------------- checkpoints

    /** An epoch's running sums, so far. */
    private static final class Partial {
        double lossSum, seconds, compute, communication, update;
        long correct, seen;
        int rounds;

        void add(RoundResult r) {
            lossSum += r.loss() * r.examples();
            correct += Math.round(r.accuracy() * r.examples());
            seen += r.examples();
            seconds += r.seconds();
            compute += r.computeSeconds();
            communication += r.communicationSeconds();
            update += r.updateSeconds();
            rounds++;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lossSum", lossSum);
            m.put("correct", correct);
            m.put("seen", seen);
            m.put("seconds", seconds);
            m.put("compute", compute);
            m.put("communication", communication);
            m.put("update", update);
            m.put("rounds", rounds);
            return m;
        }

        static Partial fromJson(Map<?, ?> m) {
            Partial p = new Partial();
            p.lossSum = orNaN(m, "lossSum");
            p.correct = number(m, "correct");
            p.seen = number(m, "seen");
            p.seconds = orNaN(m, "seconds");
            p.compute = orNaN(m, "compute");
            p.communication = orNaN(m, "communication");
            p.update = orNaN(m, "update");
            p.rounds = (int) number(m, "rounds");
            return p;
        }
    }

    private void saveCheckpoint(long round, int epoch, int roundInEpoch, int epochs, int batchSize, long seed, int trainSize,
                                int partitions, int stepsPerEpoch, List<EpochResult> history, Partial partial) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("round", round);
        t.put("epoch", epoch);
        t.put("roundInEpoch", roundInEpoch);
        t.put("epochs", epochs);
        t.put("batchSize", batchSize);
        t.put("seed", seed);
        t.put("trainSize", trainSize);
        t.put("partitions", partitions);
        t.put("localSteps", localSteps);
        t.put("stepsPerEpoch", stepsPerEpoch);
        t.put("batches", "the single-machine DataLoader order of (seed, epoch); a round covers localSteps consecutive batches");
        List<Object> h = new ArrayList<>();
        for (EpochResult r : history) h.add(epochToJson(r));
        t.put("history", h);
        t.put("partial", partial.toJson());
        try {
            new Checkpoint(model, optimizer.exportState(), t, Map.of(), checkpointMetadata).save(checkpointPath);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint " + checkpointPath + ": " + e.getMessage(), e);
        }
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
        m.put("rounds", r.rounds());
        m.put("computeSeconds", finiteOrNull(r.computeSeconds()));
        m.put("communicationSeconds", finiteOrNull(r.communicationSeconds()));
        m.put("updateSeconds", finiteOrNull(r.updateSeconds()));
        return m;
    }

    private static EpochResult epochFromJson(Map<?, ?> m) {
        return new EpochResult((int) number(m, "epoch"), orNaN(m, "trainLoss"), orNaN(m, "trainAccuracy"), orNaN(m, "testLoss"),
                orNaN(m, "testAccuracy"), orNaN(m, "imagesPerSecond"), orNaN(m, "seconds"), (int) number(m, "rounds"),
                orNaN(m, "computeSeconds"), orNaN(m, "communicationSeconds"), orNaN(m, "updateSeconds"));
    }

    private void line(String s) {
        if (out != null) {
            out.println(s);
            out.flush();
        }
    }

    /** The training set as bare indices: what the {@link DataLoader} shuffles into the run's batches. */
    private record Indices(int size) implements Dataset {
        @Override public int[] sampleShape() { return new int[] {1, 1, 1}; }
        @Override public int numClasses() { return 1; }
        @Override public List<String> classNames() { return List.of("index"); }
        @Override public void sample(int index, float[] dst, int offset) { dst[offset] = 0; }
        @Override public int label(int index) { return 0; }
        @Override public String name() { return "indices"; }
    }
}
