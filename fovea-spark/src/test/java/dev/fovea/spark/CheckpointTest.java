package dev.fovea.spark;

import dev.fovea.io.Checkpoint;
import dev.fovea.nn.Module;
import dev.fovea.optim.LearningRateSchedule;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A driver that dies mid-epoch resumes from its last checkpoint and ends where an uninterrupted run ends. */
class CheckpointTest {
    static final int N = 320, BATCH = 32, EPOCHS = 2;

    static SGD sgd(Module m) {
        return new SGD(m.parameters(), 0.03, 0.9, 5e-4, false);
    }

    @Test
    void resumedRunEndsWithTheUninterruptedRunsWeights(@TempDir Path dir) throws Exception {
        JavaSparkContext sc = LocalSpark.get();
        DistributedDataset train = DistributedDataset.read(sc, ExactnessTest.FASHION, N, 2);
        try {
            Module straight = ExactnessTest.lenet();
            DistributedTrainer.Outcome expected = trainer(sc, straight).run(train, null, EPOCHS, BATCH, 42);

            Path ckpt = dir.resolve("run.ckpt");
            Module crashed = ExactnessTest.lenet();
            // Rounds 1-10 are epoch 1; checkpoints after rounds 3, 6, 9, 10 (epoch end) and 12; the "driver" dies after 14.
            DistributedTrainer first = trainer(sc, crashed).checkpoint(ckpt, 3, Map.of("note", "test")).onRound(r -> {
                if (r.round() == 14) throw new IllegalStateException("simulated driver crash");
            });
            assertThrows(IllegalStateException.class, () -> first.run(train, null, EPOCHS, BATCH, 42));

            Checkpoint saved = Checkpoint.load(ckpt);
            assertEquals(12L, ((Number) saved.training().get("round")).longValue());
            assertEquals(2L, ((Number) saved.training().get("roundInEpoch")).longValue());
            Module resumed = ExactnessTest.lenet();
            resumed.loadStateDict(differentWeights());
            DistributedTrainer.Outcome outcome = trainer(sc, resumed).resume(saved).run(train, null, EPOCHS, BATCH, 42);

            double diff = ExactnessTest.maxDiff(straight, resumed);
            System.out.printf("resumed at round 13 of 20: max |resumed - uninterrupted| = %.3g%n", diff);
            assertTrue(diff < 1e-6, "weights differ by " + diff);
            assertEquals(EPOCHS, outcome.history().size());
            for (int e = 0; e < EPOCHS; e++) {
                assertEquals(expected.history().get(e).trainLoss(), outcome.history().get(e).trainLoss(), 1e-6);
                assertEquals(expected.history().get(e).trainAccuracy(), outcome.history().get(e).trainAccuracy(), 1e-9);
            }
            assertThrows(IllegalArgumentException.class, () -> trainer(sc, ExactnessTest.lenet()).resume(saved).run(train, null, EPOCHS, 64, 42),
                    "a different batch size is a different run");
        } finally {
            train.release();
        }
    }

    private static DistributedTrainer trainer(JavaSparkContext sc, Module m) {
        return new DistributedTrainer(sc, m, CheckpointTest::sgd, 0).output(null).schedule(LearningRateSchedule.COSINE);
    }

    /** Another model's weights, so that the resumed run has to take them from the checkpoint. */
    private static Map<String, dev.fovea.tensor.Tensor> differentWeights() {
        Rng.manualSeed(1234);
        return dev.fovea.models.LeNet5.create(1, 10).stateDict();
    }
}
