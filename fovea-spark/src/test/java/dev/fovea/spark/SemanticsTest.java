package dev.fovea.spark;

import dev.fovea.data.Batch;
import dev.fovea.data.DataLoader;
import dev.fovea.data.Dataset;
import dev.fovea.data.FashionMnist;
import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented semantics, checked against single-machine emulations written from the documentation: batch
 * normalisation with per-partition batch statistics and example-weighted running statistics, and local SGD with
 * example-weighted averages of weights, buffers and optimizer state. Same tolerances as {@link ExactnessTest}.
 */
class SemanticsTest {
    static final int N = 256, BATCH = 32, PARTITIONS = 2;
    static final double LR = 0.05;

    static Module bnNet() {
        Rng.manualSeed(11);
        return new Sequential(new Conv2d(1, 8, 3, 1, 1), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
                new Conv2d(8, 16, 3, 1, 1), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(16 * 7 * 7, 10));
    }

    static SGD sgd(Module m) {
        return new SGD(m.parameters(), LR, 0.9, 5e-4, false);
    }

    @Test
    void batchNormUsesPartitionStatisticsAndAveragesRunningStatistics() {
        JavaSparkContext sc = LocalSpark.get();
        Module spark = bnNet(), reference = bnNet(), init = bnNet();
        DistributedDataset train = DistributedDataset.read(sc, ExactnessTest.FASHION, N, PARTITIONS);
        new DistributedTrainer(sc, spark, SemanticsTest::sgd, 0).output(null).run(train, null, 1, BATCH, 42);
        train.release();

        Optimizer opt = sgd(reference);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        for (Batch b : batches()) {
            Map<String, Tensor> start = copy(reference.namedBuffers());
            Map<String, float[]> sums = new LinkedHashMap<>();
            opt.zeroGrad();
            for (Part part : split(b)) {
                reference.loadStateDict(merge(reference, start));
                Tensor l = loss.forward(reference.call(part.images), part.labels);
                l.mul((double) part.labels.length / b.size()).backward();
                for (var e : reference.namedBuffers().entrySet()) {
                    float[] v = e.getValue().toFloatArray(), s = sums.computeIfAbsent(e.getKey(), k -> new float[v.length]);
                    for (int i = 0; i < v.length; i++) s[i] += v[i] * part.labels.length;
                }
            }
            opt.step();
            for (var e : reference.namedBuffers().entrySet()) {
                float[] s = sums.get(e.getKey());
                for (int i = 0; i < s.length; i++) s[i] /= b.size();
                e.getValue().copyFrom(Tensor.of(s, e.getValue().shape()));
            }
        }
        double diff = ExactnessTest.maxDiff(reference, spark), moved = ExactnessTest.maxParameterDiff(init, reference);
        System.out.printf("batch norm, %d rounds: max |spark - reference| = %.3g, moved %.3g%n", N / BATCH, diff, moved);
        assertTrue(moved > 1e-2, "training moved the weights by only " + moved);
        assertTrue(diff < 1e-4 && diff < 1e-3 * moved, "weights or running statistics differ by " + diff);
        assertEquals(N / BATCH, spark.namedBuffers().get("1.num_batches_tracked").item());
        // Per-partition statistics are not the whole batch's: the same run with one partition ends elsewhere.
        Module whole = bnNet();
        DistributedDataset one = DistributedDataset.read(sc, ExactnessTest.FASHION, N, 1);
        new DistributedTrainer(sc, whole, SemanticsTest::sgd, 0).output(null).run(one, null, 1, BATCH, 42);
        one.release();
        assertTrue(ExactnessTest.maxDiff(whole, spark) > 100 * diff, "one and two partitions should differ under batch norm");
    }

    @Test
    void localSgdAveragesWeightsBuffersAndOptimizerState() {
        JavaSparkContext sc = LocalSpark.get();
        int k = 3;
        Module spark = bnNet(), reference = bnNet(), init = bnNet();
        DistributedDataset train = DistributedDataset.read(sc, ExactnessTest.FASHION, N, PARTITIONS);
        DistributedTrainer t = new DistributedTrainer(sc, spark, SemanticsTest::sgd, 0).output(null).localSteps(k);
        t.run(train, null, 1, BATCH, 42);
        train.release();

        Optimizer refOpt = sgd(reference);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        List<Batch> all = batches();
        for (int from = 0; from < all.size(); from += k) {
            List<Batch> round = all.subList(from, Math.min(all.size(), from + k));
            Map<String, Tensor> startState = copy(reference.stateDict());
            Optimizer.State startOpt = refOpt.exportState();
            Map<String, float[]> sums = new LinkedHashMap<>();
            Map<String, float[]> optSums = new LinkedHashMap<>();
            long total = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                Module m = bnNet();
                m.loadStateDict(startState);
                Optimizer o = sgd(m);
                o.importState(startOpt);
                int seen = 0;
                for (Batch b : round) {
                    Part part = split(b).get(p);
                    if (part.labels.length == 0) continue;
                    o.zeroGrad();
                    loss.forward(m.call(part.images), part.labels).backward();
                    o.step();
                    seen += part.labels.length;
                }
                total += seen;
                add(sums, m.stateDict(), seen);
                add(optSums, o.exportState().tensors(), seen);
            }
            Map<String, Tensor> state = reference.stateDict();
            Map<String, Tensor> avg = average(sums, key -> state.get(key).shape(), total);
            reference.loadStateDict(avg);
            Optimizer.State s = refOpt.exportState();
            List<Tensor> params = reference.parameters();
            Map<String, Tensor> optAvg = average(optSums, key -> params.get(Integer.parseInt(key.substring(0, key.indexOf('.')))).shape(), total);
            Map<String, Object> info = new LinkedHashMap<>(s.info());
            List<Object> steps = new ArrayList<>();
            for (Object o : (List<?>) s.info().get("steps")) steps.add(((Number) o).longValue() + round.size());
            info.put("steps", steps);
            refOpt.importState(new Optimizer.State(s.type(), info, optAvg));
        }
        double diff = ExactnessTest.maxDiff(reference, spark);
        System.out.printf("local SGD k=%d: max |spark - reference| = %.3g%n", k, diff);
        assertTrue(ExactnessTest.maxParameterDiff(init, spark) > 1e-2, "local SGD did not train");
        assertTrue(diff < 1e-4, "local SGD differs from its definition by " + diff);
        double momentumDiff = 0;
        for (var e : t.optimizer().exportState().tensors().entrySet()) {
            float[] x = e.getValue().toFloatArray(), y = refOpt.exportState().tensors().get(e.getKey()).toFloatArray();
            for (int i = 0; i < x.length; i++) momentumDiff = Math.max(momentumDiff, Math.abs(x[i] - y[i]));
        }
        assertTrue(momentumDiff < 1e-4, "momentum buffers differ by " + momentumDiff);
    }

    // ---------------------------------------------------------------- the emulation's plumbing

    record Part(Tensor images, int[] labels) {}

    /** The run's global batches, as the single-machine loader makes them. */
    static List<Batch> batches() {
        Dataset data = FashionMnist.train().limit(N);
        DataLoader loader = new DataLoader(data, BATCH, true, 42).prefetch(false);
        List<Batch> out = new ArrayList<>();
        for (Batch b : loader) out.add(b);
        return out;
    }

    /** A batch cut into the partitions' shares: the samples in each partition's index range, in batch order. */
    static List<Part> split(Batch b) {
        List<Part> parts = new ArrayList<>();
        int per = b.images().numel() / b.size();
        float[] x = b.images().toFloatArray();
        for (int p = 0; p < PARTITIONS; p++) {
            int lo = DistributedDataset.start(p, N, PARTITIONS), hi = DistributedDataset.start(p + 1, N, PARTITIONS);
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < b.size(); i++) if (b.indices()[i] >= lo && b.indices()[i] < hi) rows.add(i);
            float[] px = new float[rows.size() * per];
            int[] labels = new int[rows.size()];
            for (int j = 0; j < rows.size(); j++) {
                System.arraycopy(x, rows.get(j) * per, px, j * per, per);
                labels[j] = b.labels()[rows.get(j)];
            }
            parts.add(new Part(Tensor.of(px, rows.size(), 1, 28, 28), labels));
        }
        return parts;
    }

    static Map<String, Tensor> copy(Map<String, Tensor> m) {
        Map<String, Tensor> c = new LinkedHashMap<>();
        for (var e : m.entrySet()) c.put(e.getKey(), e.getValue().copy());
        return c;
    }

    /** The model's state dict with its buffers replaced by {@code buffers}. */
    static Map<String, Tensor> merge(Module m, Map<String, Tensor> buffers) {
        Map<String, Tensor> s = new LinkedHashMap<>(m.stateDict());
        s.putAll(buffers);
        return s;
    }

    static void add(Map<String, float[]> sums, Map<String, Tensor> values, int weight) {
        for (var e : values.entrySet()) {
            float[] v = e.getValue().toFloatArray(), s = sums.computeIfAbsent(e.getKey(), key -> new float[v.length]);
            for (int i = 0; i < v.length; i++) s[i] += v[i] * weight;
        }
    }

    static Map<String, Tensor> average(Map<String, float[]> sums, java.util.function.Function<String, int[]> shapeOf, long total) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : sums.entrySet()) {
            float[] s = e.getValue();
            for (int i = 0; i < s.length; i++) s[i] /= total;
            out.put(e.getKey(), Tensor.of(s, shapeOf.apply(e.getKey())));
        }
        return out;
    }
}
