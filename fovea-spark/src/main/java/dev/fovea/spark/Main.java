package dev.fovea.spark;

import dev.fovea.io.Checkpoint;
import dev.fovea.io.ModelFile;
import dev.fovea.models.Zoo;
import dev.fovea.nn.Module;
import dev.fovea.optim.Adam;
import dev.fovea.optim.AdamW;
import dev.fovea.optim.LearningRateSchedule;
import dev.fovea.optim.ParamGroup;
import dev.fovea.optim.RMSprop;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.train.Trainer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Spark entry point of the fat jar: {@code train} (what {@code ./fovea train --master ...} runs) and
 * {@code predict} (batch prediction to Parquet). Under {@code spark-submit} the master comes from spark-submit; run
 * directly, {@code --master} names it.
 */
public final class Main {
    private Main() {}

    /**
     * The executors' JVM flags unless the user set spark.executor.extraJavaOptions: the Vector API, a deep stack, and
     * one kernel thread per task, since Spark already runs one task per core.
     */
    static final String EXECUTOR_FLAGS = "--add-modules jdk.incubator.vector -Xss8m -Dfovea.threads=1";

    public static void main(String[] args) {
        // In local mode this JVM is the executor too; Spark's task threads are the parallelism (read before any kernel runs).
        if (System.getProperty("fovea.threads") == null) System.setProperty("fovea.threads", "1");
        int code;
        try {
            code = run(args, System.out);
        } catch (IllegalArgumentException | IllegalStateException | IOException | java.io.UncheckedIOException e) {
            System.err.println("fovea: error: " + e.getMessage());
            code = 2;
        }
        System.out.flush();
        System.exit(code);
    }

    static int run(String[] args, PrintStream out) throws IOException {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println("usage: fovea-spark train|predict|bench [options]   (each with --help)");
            return 0;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "train" -> train(rest, out);
            case "predict" -> predict(rest, out);
            case "bench" -> {
                try {
                    yield RoundBenchmark.run(rest, out);
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'; fovea-spark runs train, predict and bench");
        };
    }

    static Options trainOptions() {
        return new Options("fovea train --master MASTER [options]: data-parallel training on Apache Spark. The global batches,\n"
                + "initialisation and optimizer are those of the single-machine `fovea train` with the same options.")
                .option("master", "URL", null, "Spark master: local[N], spark://host:port, ... (spark-submit gives its own)")
                .option("model", "NAME", "lenet5", "model to train: " + String.join(", ", Zoo.names()))
                .option("dataset", "NAME", "fashion-mnist", "dataset: " + String.join(", ", ShardSource.DATASETS))
                .option("data-dir", "DIR", null, "folder of the dataset's files, as every executor sees it (default: its standard place)")
                .option("epochs", "N", "10", "passes over the training set")
                .option("batch", "B", "64", "global mini-batch size (split across the partitions)")
                .option("optimizer", "NAME", "sgd", "sgd, adam, adamw, rmsprop")
                .option("lr", "X", null, "learning rate (default: 0.03 for sgd, 0.001 for adam and adamw, 0.01 for rmsprop)")
                .option("momentum", "X", null, "momentum of sgd (default: 0.9) and rmsprop (default: 0)")
                .flag("nesterov", "Nesterov momentum (sgd)")
                .option("weight-decay", "X", null, "L2 weight decay; decoupled for adamw (default: 0.0005, 0.01 for adamw)")
                .option("schedule", "NAME", "cosine", "learning-rate schedule: cosine, constant, onecycle")
                .option("label-smoothing", "X", "0", "label smoothing of the cross-entropy")
                .option("seed", "S", "42", "seed for initialisation and shuffling")
                .option("limit", "N", null, "train on the first N training examples only")
                .option("partitions", "P", null, "shards of the training set (default: Spark's default parallelism)")
                .option("local-steps", "K", "1", "1: synchronous SGD; K > 1: local SGD, K steps per partition between averages")
                .option("log-every", "R", "0", "a progress line every R rounds (0: about ten an epoch)")
                .option("checkpoint", "FILE", null, "write a checkpoint on the driver every --checkpoint-every rounds and after each epoch")
                .option("checkpoint-every", "R", "200", "rounds between checkpoints")
                .option("resume", "FILE", null, "continue the run of a checkpoint (give the same options)")
                .option("out", "FILE", null, "where to save the trained model (default: MODEL.fovea)");
    }

    static int train(String[] args, PrintStream out) throws IOException {
        Options o = trainOptions();
        if (!o.parse(args)) {
            out.print(o.help());
            return 0;
        }
        String modelName = o.text("model");
        if (!Zoo.names().contains(modelName)) throw new IllegalArgumentException("unknown model '" + modelName + "'; available: " + String.join(", ", Zoo.names()));
        int epochs = o.integer("epochs", 1), batch = o.integer("batch", 1), k = o.integer("local-steps", 1);
        long seed = o.integer("seed", 0);
        OptimizerFactory factory = optimizer(o);
        LearningRateSchedule schedule = switch (o.text("schedule")) {
            case "cosine" -> LearningRateSchedule.COSINE;
            case "constant" -> LearningRateSchedule.CONSTANT;
            case "onecycle" -> LearningRateSchedule.oneCycle();
            default -> throw new IllegalArgumentException("option --schedule: unknown schedule '" + o.text("schedule") + "'; available: cosine, constant, onecycle");
        };
        double smoothing = o.number("label-smoothing");
        if (smoothing >= 1) throw new IllegalArgumentException("option --label-smoothing: must be below 1");
        ShardSource source = new ShardSource(o.text("dataset"), o.text("data-dir"), true);

        try (JavaSparkContext sc = context(o, "fovea train " + modelName)) {
            int partitions = o.given("partitions") ? o.integer("partitions", 1) : sc.defaultParallelism();
            long t0 = System.nanoTime();
            DistributedDataset train = DistributedDataset.read(sc, source, o.given("limit") ? o.integer("limit", 1) : 0, partitions);
            DistributedDataset test = DistributedDataset.read(sc, source.split(false), 0, partitions);
            ShardSource.Info info = train.info();
            out.printf("Read %,d training and %,d test images of %s into %d partitions on the executors (%.1fs)%n",
                    train.size(), test.size(), info.name().replace(" train", ""), partitions, (System.nanoTime() - t0) / 1e9);

            Checkpoint resume = o.given("resume") ? Checkpoint.load(Path.of(o.text("resume"))) : null;
            if (resume != null && resume.metadata().get("model") instanceof String m) modelName = m;
            Rng.manualSeed(seed);
            Module model = resume != null ? resume.model() : Zoo.create(modelName, info.sampleShape()[0], info.classNames().size());
            DistributedTrainer trainer = new DistributedTrainer(sc, model, factory, smoothing).schedule(schedule).localSteps(k)
                    .logEvery(Integer.parseInt(o.text("log-every"))).output(out);
            String outName = o.given("out") ? o.text("out") : modelName + ".fovea";
            if (o.given("checkpoint")) {
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("model", modelName);
                meta.put("dataset", source.dataset());
                meta.put("options", o.givenOptions());
                trainer.checkpoint(Path.of(o.text("checkpoint")), o.integer("checkpoint-every", 1), meta);
            }
            if (resume != null) trainer.resume(resume);
            out.printf("Training %s (%,d parameters) on Spark (%s, %d partitions): %d epoch%s, global batch %d, lr %s, %s schedule, %s%n",
                    modelName, model.parameterCount(), sc.master(), partitions, epochs, epochs == 1 ? "" : "s", batch,
                    trainer.optimizer().learningRate(), o.text("schedule"),
                    k == 1 ? "synchronous SGD" : "local SGD, " + k + " steps between averages");
            DistributedTrainer.Outcome outcome = trainer.run(train, test, epochs, batch, seed);
            Trainer.Evaluation ev = outcome.test();

            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("model", modelName);
            meta.put("dataset", source.dataset());
            meta.put("classes", info.classNames());
            meta.put("inputShape", info.sampleShape());
            if (info.mean() != null) meta.put("mean", info.mean());
            if (info.std() != null) meta.put("std", info.std());
            meta.put("epochs", outcome.history().getLast().epoch());
            meta.put("testAccuracy", ev.accuracy());
            meta.put("trainedOn", "spark " + sc.master() + ", " + partitions + " partitions, local steps " + k);
            ModelFile.save(Path.of(outName), model, meta);
            double secs = 0;
            for (DistributedTrainer.EpochResult r : outcome.history()) secs += r.seconds();
            out.printf("Test accuracy %.2f%% after %.0fs of training. Saved the model to %s%n", 100 * ev.accuracy(), secs, outName);
        }
        return 0;
    }

    private static OptimizerFactory optimizer(Options o) {
        String name = o.text("optimizer");
        boolean sgd = name.equals("sgd"), rms = name.equals("rmsprop");
        if (!List.of("sgd", "adam", "adamw", "rmsprop").contains(name)) throw new IllegalArgumentException("unknown optimizer '" + name + "'; available: sgd, adam, adamw, rmsprop");
        double lr = o.given("lr") ? o.number("lr") : sgd ? 0.03 : rms ? 0.01 : 0.001;
        double momentum = o.given("momentum") ? o.number("momentum") : sgd ? 0.9 : 0;
        double wd = o.given("weight-decay") ? o.number("weight-decay") : name.equals("adamw") ? 0.01 : 0.0005;
        boolean nesterov = o.flag("nesterov");
        return switch (name) {
            case "sgd" -> m -> SGD.grouped(ParamGroup.single(m.parameters()), lr, momentum, 0, wd, nesterov);
            case "adam" -> m -> Adam.grouped(ParamGroup.single(m.parameters()), lr, 0.9, 0.999, 1e-8, wd, false);
            case "adamw" -> m -> AdamW.grouped(ParamGroup.single(m.parameters()), lr, 0.9, 0.999, 1e-8, wd, false);
            default -> m -> RMSprop.grouped(ParamGroup.single(m.parameters()), lr, 0.99, 1e-8, wd, momentum, false);
        };
    }

    /** The Spark context: the master from --master or spark-submit, the executors' JVM flags unless set already. */
    static JavaSparkContext context(Options o, String appName) {
        SparkConf conf = new SparkConf();
        if (o.given("master")) conf.setMaster(o.text("master"));
        if (!conf.contains("spark.master")) throw new IllegalArgumentException("no Spark master: give --master local[2] (or spark://host:port), or run through spark-submit");
        if (!conf.contains("spark.app.name")) conf.setAppName(appName);
        if (!conf.contains("spark.executor.extraJavaOptions")) conf.set("spark.executor.extraJavaOptions", EXECUTOR_FLAGS);
        if (!conf.contains("spark.ui.showConsoleProgress")) conf.set("spark.ui.showConsoleProgress", "false");
        JavaSparkContext sc = new JavaSparkContext(SparkSession.builder().config(conf).getOrCreate().sparkContext());
        return sc;
    }

    static Options predictOptions() {
        return new Options("fovea predict --master MASTER --model FILE --out DIR [options]: batch prediction on Apache Spark. Classifies\n"
                + "a dataset split read on the executors, or a Parquet file with an image column, and writes the rows with their\n"
                + "top-k classes and probabilities to Parquet.")
                .option("master", "URL", null, "Spark master: local[N], spark://host:port, ... (spark-submit gives its own)")
                .option("model", "FILE", null, "the saved model (a .fovea model file)")
                .option("dataset", "NAME", null, "classify this dataset's split (" + String.join(", ", ShardSource.DATASETS) + "; default: the model's own)")
                .option("data-dir", "DIR", null, "folder of the dataset's files, as every executor sees it")
                .option("split", "NAME", "test", "train or test")
                .option("input", "PARQUET", null, "classify the images of this Parquet file instead (see --column)")
                .option("column", "NAME", "image", "the image column of --input: array<float> normalised, or binary raw bytes")
                .option("partitions", "P", null, "partitions of the dataset split (default: Spark's default parallelism)")
                .option("limit", "N", null, "classify the first N images of the split only")
                .option("top-k", "K", "3", "how many classes, with probabilities, to keep per image")
                .option("batch", "B", "256", "images per forward pass")
                .option("out", "DIR", null, "where to write the predictions (a Parquet folder; replaced if it exists)");
    }

    static int predict(String[] args, PrintStream out) throws IOException {
        Options o = predictOptions();
        if (!o.parse(args)) {
            out.print(o.help());
            return 0;
        }
        if (!o.given("model")) throw new IllegalArgumentException("--model FILE is required: the model to predict with");
        if (!o.given("out")) throw new IllegalArgumentException("--out DIR is required: where the Parquet predictions go");
        if (!List.of("train", "test").contains(o.text("split"))) throw new IllegalArgumentException("option --split: train or test, not '" + o.text("split") + "'");
        ModelFile.Loaded loaded = ModelFile.load(Path.of(o.text("model")));
        try (JavaSparkContext sc = context(o, "fovea predict")) {
            SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
            long t0 = System.nanoTime();
            org.apache.spark.sql.Dataset<Row> images;
            String what;
            if (o.given("input")) {
                images = spark.read().parquet(o.text("input"));
                what = o.text("input");
            } else {
                String dataset = o.given("dataset") ? o.text("dataset") : loaded.metadata().get("dataset") instanceof String d ? d : "fashion-mnist";
                int partitions = o.given("partitions") ? o.integer("partitions", 1) : sc.defaultParallelism();
                DistributedDataset data = DistributedDataset.read(sc, new ShardSource(dataset, o.text("data-dir"), o.text("split").equals("train")),
                        o.given("limit") ? o.integer("limit", 1) : 0, partitions);
                images = BatchPredictor.images(spark, data);
                what = data.info().name();
            }
            org.apache.spark.sql.Dataset<Row> predictions = BatchPredictor.predict(spark, images, o.text("column"), loaded.model(), loaded.metadata(),
                    o.integer("top-k", 1), o.integer("batch", 1));
            predictions.write().mode(SaveMode.Overwrite).parquet(o.text("out"));
            org.apache.spark.sql.Dataset<Row> written = spark.read().parquet(o.text("out"));
            long n = written.count();
            out.printf("Classified %,d images of %s with %s in %.1fs; wrote %s (columns: %s)%n", n, what, o.text("model"),
                    (System.nanoTime() - t0) / 1e9, o.text("out"), String.join(", ", written.columns()));
            if (java.util.Arrays.asList(written.columns()).contains("label")) {
                long right = written.filter(functions.col("label").equalTo(functions.col(BatchPredictor.PREDICTION))).count();
                out.printf("Accuracy against the label column: %.2f%% (%,d of %,d)%n", 100.0 * right / n, right, n);
            }
            for (Row r : written.limit(3).collectAsList()) {
                List<String> parts = new java.util.ArrayList<>();
                for (int i = 0; i < r.length(); i++) {
                    Object v = r.schema().fields()[i].dataType() instanceof org.apache.spark.sql.types.ArrayType ? r.getList(i) : r.get(i);
                    parts.add(r.schema().fields()[i].name() + " " + v);
                }
                out.println("  " + String.join(", ", parts));
            }
        }
        return 0;
    }
}
