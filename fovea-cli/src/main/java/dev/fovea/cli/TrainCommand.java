package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.data.ImageClassification;
import dev.fovea.io.ModelFile;
import dev.fovea.models.Zoo;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Module;
import dev.fovea.optim.LearningRateSchedule;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code fovea train}: the one command that trains a model and saves it. */
final class TrainCommand {
    private TrainCommand() {}

    static Args args() {
        return new Args("train", "Trains a model with SGD (momentum 0.9) on a dataset's training split, reports test accuracy\nafter every epoch and saves the model.")
                .option("model", Args.Kind.TEXT, "NAME", "lenet5", "model to train: " + String.join(", ", Zoo.names()))
                .option("dataset", Args.Kind.TEXT, "NAME", "fashion-mnist", "dataset: " + Datasets.NAMES)
                .option("data-dir", Args.Kind.TEXT, "DIR", null, "folder with the dataset's files (default: the dataset's standard place)")
                .option("epochs", Args.Kind.INT, "N", "10", "passes over the training set")
                .option("batch", Args.Kind.INT, "B", "64", "mini-batch size")
                .option("lr", Args.Kind.NUMBER, "X", "0.03", "learning rate at the start")
                .option("schedule", Args.Kind.TEXT, "NAME", "cosine", "learning-rate schedule: cosine (anneals to 0) or constant")
                .option("momentum", Args.Kind.NUMBER, "X", "0.9", "SGD momentum")
                .option("weight-decay", Args.Kind.NUMBER, "X", "0.0005", "L2 weight decay")
                .option("seed", Args.Kind.INT, "S", "42", "seed for initialisation and shuffling")
                .option("limit", Args.Kind.INT, "N", null, "train on the first N training examples only")
                .option("out", Args.Kind.TEXT, "FILE", "lenet5.fovea", "where to save the trained model")
                .flag("memory", "also report memory allocated per step, peak heap and garbage collections");
    }

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = args();
        if (a.parse(argv)) {
            out.print(a.help());
            return 0;
        }
        String modelName = a.text("model");
        if (!Zoo.names().contains(modelName)) throw new UsageException("unknown model '" + modelName + "'; available: " + String.join(", ", Zoo.names()));
        int epochs = a.integer("epochs", 1), batch = a.integer("batch", 1);
        double lr = a.number("lr", 0), momentum = a.number("momentum", 0), wd = a.number("weight-decay", 0);
        long seed = a.integer("seed", 0);
        LearningRateSchedule schedule;
        try {
            schedule = LearningRateSchedule.named(a.text("schedule"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("option --schedule: " + e.getMessage());
        }
        String outName = a.given("out") || modelName.equals("lenet5") ? a.text("out") : modelName + ".fovea";

        ImageClassification train = Datasets.load(a.text("dataset"), a.text("data-dir"), true);
        ImageClassification test = Datasets.load(a.text("dataset"), a.text("data-dir"), false);
        Dataset trainSet = a.given("limit") ? train.limit(Math.min(a.integer("limit", 1), train.size())) : train;

        Rng.manualSeed(seed);
        int[] shape = train.sampleShape();
        Module model = Zoo.create(modelName, shape[0], train.numClasses());
        out.printf("Training %s (%,d parameters) on %s: %,d training and %,d test images, %d epochs, batch %d, lr %s (%s schedule)%n",
                modelName, model.parameterCount(), train.name().replace(" train", ""), trainSet.size(), test.size(), epochs, batch, lr, a.text("schedule"));
        SGD sgd = new SGD(model.parameters(), lr, momentum, wd, false);
        List<Trainer.EpochResult> history = new Trainer(model, sgd, new CrossEntropyLoss()).output(out).schedule(schedule).memoryReport(a.flag("memory")).fit(trainSet, test, epochs, batch, seed);
        Trainer.EpochResult last = history.getLast();

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", modelName);
        meta.put("dataset", a.text("dataset"));
        meta.put("classes", train.classNames());
        meta.put("inputShape", shape);
        meta.put("mean", train.mean());
        meta.put("std", train.std());
        meta.put("epochs", epochs);
        meta.put("testAccuracy", last.testAccuracy());
        Path path = Path.of(outName);
        ModelFile.save(path, model, meta);
        out.printf("Test accuracy %.2f%%. Saved the model to %s%n", 100 * last.testAccuracy(), path);
        return 0;
    }
}
