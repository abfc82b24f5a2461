package dev.fovea.spark;

import dev.fovea.models.CifarResNet;
import dev.fovea.models.LeNet5;
import dev.fovea.nn.Module;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code ./fovea bench-spark}: what a round costs. For each setup (one task thread; two task threads in one JVM;
 * two executor JVMs of one core under a standalone master on loopback) it measures
 * <ul>
 *   <li>bare communication rounds: broadcast P floats, every partition returns P floats, treeAggregate adds them,
 *       destroy the broadcast; for P = LeNet-5's and ResNet-20's parameter counts and 1 M;</li>
 *   <li>training rounds of LeNet-5 (1x28x28) and ResNet-20 (3x32x32) on random images, global batch 64, split into
 *       compute (slowest partition), communication and the driver's update, as {@link DistributedTrainer} reports.</li>
 * </ul>
 * Each number is the median over the measured rounds, after warm-up rounds.
 */
final class RoundBenchmark {
    private RoundBenchmark() {}

    static Options options() {
        return new Options("fovea bench-spark [options]: seconds per Spark round, bare and training, for 1 and 2 executors.")
                .option("rounds", "N", "20", "measured rounds per row")
                .option("warmup", "N", "15", "rounds before measuring")
                .flag("no-cluster", "skip the setup with two executor JVMs");
    }

    record Row(String setup, String what, long params, double seconds, double compute, double communication, double update) {}

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = options();
        if (!o.parse(args)) {
            out.print(o.help());
            return 0;
        }
        int rounds = o.integer("rounds", 1), warmup = o.integer("warmup", 0);
        out.println("load average before: " + load());
        List<Row> rows = new ArrayList<>();
        rows.addAll(setup("local[1], 1 partition", () -> local("local[1]"), 1, rounds, warmup, out));
        rows.addAll(setup("local[2], 2 partitions", () -> local("local[2]"), 2, rounds, warmup, out));
        if (!o.flag("no-cluster")) {
            Path dir = Files.createTempDirectory("fovea-bench-cluster");
            try (LoopbackCluster cluster = LoopbackCluster.start(dir, 2, "3g")) {
                rows.addAll(setup("2 executor JVMs, 2 partitions", () -> new JavaSparkContext(base(cluster.masterUrl())
                        .set("spark.executor.cores", "1").set("spark.cores.max", "2").set("spark.executor.memory", "1g")
                        .set("spark.executor.extraClassPath", cluster.classPath())
                        .set("spark.executor.extraJavaOptions", Main.EXECUTOR_FLAGS)
                        .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                        .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "60s")), 2, rounds, warmup, out));
            }
        }
        out.println("load average after: " + load() + " (on 2 cores, anything above ~2 while this ran slowed every row)");
        out.println();
        out.println("| setup | round | parameters | s/round | compute | communication | update | speed-up vs 1 |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            Row one = rows.stream().filter(x -> x.setup().startsWith("local[1]") && x.what().equals(r.what())).findFirst().orElse(r);
            out.printf("| %s | %s | %,d | %.4f | %s | %s | %s | %.2fx |%n", r.setup(), r.what(), r.params(), r.seconds(),
                    r.compute() < 0 ? "-" : String.format("%.4f", r.compute()), r.communication() < 0 ? "-" : String.format("%.4f", r.communication()),
                    r.update() < 0 ? "-" : String.format("%.4f", r.update()), one.seconds() / r.seconds());
        }
        return 0;
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static SparkConf base(String master) {
        return new SparkConf().setMaster(master).setAppName("fovea bench-spark")
                .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
    }

    private static JavaSparkContext local(String master) {
        return new JavaSparkContext(base(master));
    }

    private static List<Row> setup(String name, Supplier<JavaSparkContext> make, int partitions, int rounds, int warmup, PrintStream out) {
        List<Row> rows = new ArrayList<>();
        try (JavaSparkContext sc = make.get()) {
            sc.setLogLevel("WARN");
            Rng.manualSeed(1);
            Module lenet = LeNet5.create(1, 10), resnet = CifarResNet.resnet20(3, 10);
            bare(sc, 1_000_000, partitions, 1, warmup);
            for (long p : new long[] {lenet.parameterCount(), resnet.parameterCount(), 1_000_000}) {
                double s = bare(sc, (int) p, partitions, rounds, warmup);
                rows.add(new Row(name, "bare", p, s, -1, -1, -1));
                out.printf("%s: bare round of %,d floats: %.4f s%n", name, p, s);
            }
            rows.add(training(sc, name, "LeNet-5 training", lenet, new int[] {1, 28, 28}, partitions, rounds, warmup, out));
            rows.add(training(sc, name, "ResNet-20 training", resnet, new int[] {3, 32, 32}, partitions, rounds, warmup, out));
        }
        return rows;
    }

    /** A sum that starts empty, so the zero value Spark ships is a few bytes. */
    static final class Sum implements Serializable {
        float[] v;

        Sum add(float[] x) {
            v = Flat.add(v, x);
            return this;
        }
    }

    /** Median seconds of: broadcast P floats, each partition returns P floats, treeAggregate, destroy. */
    private static double bare(JavaSparkContext sc, int p, int partitions, int rounds, int warmup) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < partitions; i++) ids.add(i);
        JavaRDD<Integer> parts = sc.parallelize(ids, partitions).cache();
        parts.count();
        float[] values = new float[p];
        Arrays.fill(values, 1);
        double[] t = new double[rounds];
        for (int r = 0; r < warmup + rounds; r++) {
            long t0 = System.nanoTime();
            Broadcast<float[]> b = sc.broadcast(values);
            Sum s = parts.treeAggregate(new Sum(), (acc, i) -> acc.add(b.value().clone()), (x, y) -> x.add(y.v), 2);
            b.destroy();
            if (s.v.length != p || s.v[0] != partitions) throw new IllegalStateException("bad sum " + s.v[0]);
            if (r >= warmup) t[r - warmup] = (System.nanoTime() - t0) / 1e9;
        }
        parts.unpersist(true);
        return median(t);
    }

    private static Row training(JavaSparkContext sc, String setup, String what, Module model, int[] shape, int partitions,
                                int rounds, int warmup, PrintStream out) {
        int batch = 64;
        DistributedDataset data = DistributedDataset.synthetic(sc, (warmup + rounds) * batch, shape, 10, partitions, 7);
        List<DistributedTrainer.RoundResult> results = new ArrayList<>();
        new DistributedTrainer(sc, model, m -> new SGD(m.parameters(), 0.01, 0.9, 5e-4, false), 0).output(null)
                .onRound(results::add).run(data, null, 1, batch, 42);
        data.release();
        List<DistributedTrainer.RoundResult> measured = results.subList(warmup, results.size());
        double[] s = measured.stream().mapToDouble(DistributedTrainer.RoundResult::seconds).toArray();
        double[] c = measured.stream().mapToDouble(DistributedTrainer.RoundResult::computeSeconds).toArray();
        double[] m = measured.stream().mapToDouble(DistributedTrainer.RoundResult::communicationSeconds).toArray();
        double[] u = measured.stream().mapToDouble(DistributedTrainer.RoundResult::updateSeconds).toArray();
        Row row = new Row(setup, what, model.parameterCount(), median(s), median(c), median(m), median(u));
        out.printf("%s: %s round: %.4f s (compute %.4f, communication %.4f, update %.4f)%n", setup, what, row.seconds(), row.compute(), row.communication(), row.update());
        return row;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
