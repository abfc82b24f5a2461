package dev.fovea.spark;

import dev.fovea.data.FashionMnist;
import dev.fovea.models.LeNet5;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Module;
import dev.fovea.optim.LearningRateSchedule;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Trainer;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Synchronous rounds (k = 1) on 2 partitions against the single-machine {@link Trainer} itself, same data, seed,
 * batches, optimizer and schedule (one-cycle, which moves the momentum too, in the longer run). They differ only in the order float32 gradients are added (two partial sums
 * instead of one), which is the tolerance: after one round a few units in the last place of the update (bounded by
 * 1e-6 absolute, where the update itself is ~1e-3); over 30 rounds of momentum SGD the rounding differences
 * compound through the nonlinear dynamics, bounded by 1e-4 absolute and 0.1% of how far the weights moved.
 */
class ExactnessTest {
    static final ShardSource FASHION = new ShardSource("fashion-mnist", null, true);

    @Test
    void oneRoundIsOneSingleMachineStep() {
        double[] d = compare(64, 64, 1, LearningRateSchedule.COSINE);
        assertTrue(d[1] > 1e-4, "the step moved the weights by only " + d[1]);
        assertTrue(d[0] < 1e-6, "weights differ by " + d[0]);
    }

    @Test
    void lenet5RoundsMatchSingleMachineSteps() {
        // One-cycle: the rate and the momentum both move every round.
        double[] d = compare(480, 32, 2, LearningRateSchedule.oneCycle());
        assertTrue(d[1] > 1e-2, "training moved the weights by only " + d[1]);
        assertTrue(d[0] < 1e-4 && d[0] < 1e-3 * d[1], "weights differ by " + d[0]);
    }

    /** {max |spark - single|, max |single - initial|} after training LeNet-5 both ways. */
    private static double[] compare(int n, int batch, int epochs, LearningRateSchedule schedule) {
        JavaSparkContext sc = LocalSpark.get();
        Module single = lenet(), spark = lenet(), init = lenet();
        SGD sgd = new SGD(single.parameters(), 0.03, 0.9, 5e-4, false);
        List<Trainer.EpochResult> history = new Trainer(single, sgd, new CrossEntropyLoss()).output(null)
                .schedule(schedule).fit(FashionMnist.train().limit(n), null, epochs, batch, 42);

        DistributedDataset train = DistributedDataset.read(sc, FASHION, n, 2);
        DistributedTrainer.Outcome outcome = new DistributedTrainer(sc, spark, m -> new SGD(m.parameters(), 0.03, 0.9, 5e-4, false), 0)
                .output(null).schedule(schedule).run(train, null, epochs, batch, 42);
        train.release();

        double diff = maxDiff(single, spark), moved = maxParameterDiff(init, single);
        System.out.printf("LeNet-5, %d rounds: max |spark - single| = %.3g, max |trained - initial| = %.3g%n",
                epochs * ((n + batch - 1) / batch), diff, moved);
        for (int e = 0; e < epochs; e++) {
            assertEquals(history.get(e).trainLoss(), outcome.history().get(e).trainLoss(), 1e-5);
            assertEquals(history.get(e).trainAccuracy(), outcome.history().get(e).trainAccuracy(), 1e-12);
        }
        return new double[] {diff, moved};
    }

    static Module lenet() {
        Rng.manualSeed(7);
        return LeNet5.create(1, 10);
    }

    /** The largest difference of any parameter or buffer. */
    static double maxDiff(Module a, Module b) {
        return maxDiff(a.stateDict(), b.stateDict());
    }

    static double maxParameterDiff(Module a, Module b) {
        return maxDiff(a.namedParameters(), b.namedParameters());
    }

    static double maxDiff(Map<String, Tensor> sa, Map<String, Tensor> sb) {
        double max = 0;
        for (var e : sa.entrySet()) {
            float[] x = e.getValue().toFloatArray(), y = sb.get(e.getKey()).toFloatArray();
            for (int i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }
}
