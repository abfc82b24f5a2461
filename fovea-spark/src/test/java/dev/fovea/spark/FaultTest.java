package dev.fovea.spark;

import dev.fovea.data.FashionMnist;
import dev.fovea.models.LeNet5;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.train.Trainer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task killed in the middle of a round: Spark retries it and the run ends with the single-machine trainer's
 * weights all the same. Once in local mode (the task throws), once with executors in their own JVMs under a
 * standalone master and worker this test starts on loopback (the executor's JVM dies).
 */
class FaultTest {
    static final int N = 320, BATCH = 32;

    static Module model(Path marker, String mode) {
        Rng.manualSeed(7);
        return new Sequential(new FailOnce(marker.toString(), 3, mode), LeNet5.create(1, 10));
    }

    static SGD sgd(Module m) {
        return new SGD(m.parameters(), 0.03, 0.9, 5e-4, false);
    }

    /** Trains with the fault armed, then checks a task failed and the weights are the single-machine run's. */
    static void trainThroughFault(JavaSparkContext sc, Path dir, String mode) throws Exception {
        Path marker = dir.resolve("failed-once");
        AtomicInteger failed = new AtomicInteger();
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskInfo().failed()) failed.incrementAndGet();
            }
        });
        Module spark = model(marker, mode);
        DistributedDataset train = DistributedDataset.read(sc, ExactnessTest.FASHION, N, 2);
        new DistributedTrainer(sc, spark, FaultTest::sgd, 0).output(null).run(train, null, 1, BATCH, 42);
        train.release();
        assertTrue(Files.exists(marker), "the fault never struck");
        sc.sc().listenerBus().waitUntilEmpty();
        assertTrue(failed.get() >= 1, "no task failed");

        Files.writeString(marker, "already struck: the reference run passes through");
        Module single = model(marker, mode);
        new Trainer(single, sgd(single), new CrossEntropyLoss()).output(null).fit(FashionMnist.train().limit(N), null, 1, BATCH, 42);
        double diff = ExactnessTest.maxDiff(single, spark), moved = ExactnessTest.maxParameterDiff(model(marker, mode), single);
        System.out.printf("%s fault, %d failed task(s): max |spark - single| = %.3g, moved %.3g%n", mode, failed.get(), diff, moved);
        assertTrue(moved > 1e-2);
        assertTrue(diff < 1e-4 && diff < 1e-3 * moved, "weights differ by " + diff);
    }

    @Test
    void failedTaskIsRetriedInLocalMode(@TempDir Path dir) throws Exception {
        trainThroughFault(LocalSpark.get(), dir, "throw");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void lostExecutorJvmIsReplacedAndTheRoundRecomputed(@TempDir Path dir) throws Exception {
        LocalSpark.stop();
        try (LoopbackCluster cluster = LoopbackCluster.start(dir, 2, "2g");
             JavaSparkContext sc = new JavaSparkContext(clusterConf(cluster, "fovea-spark fault test"))) {
            sc.setLogLevel("WARN");
            trainThroughFault(sc, dir, "halt");
        }
    }

    /** Two executor JVMs of one core each, on the loopback cluster; a task may fail up to 3 times. */
    static SparkConf clusterConf(LoopbackCluster cluster, String name) {
        return new SparkConf().setMaster(cluster.masterUrl()).setAppName(name)
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.showConsoleProgress", "false")
                .set("spark.executor.cores", "1")
                .set("spark.cores.max", "2")
                .set("spark.executor.memory", "768m")
                .set("spark.task.maxFailures", "4")
                .set("spark.executor.extraClassPath", cluster.classPath())
                .set("spark.executor.extraJavaOptions", Main.EXECUTOR_FLAGS)
                .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "60s");
    }
}
