package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code fovea eval MODEL}: loss, top-1 and top-k accuracy, accuracy per class and the confusion matrix on the test
 * split of the model's dataset.
 */
final class EvalCommand {
    private EvalCommand() {}

    /** The command's options, for parsing and --help. */
    static Args args() {
        return new Args("eval", "Evaluates a saved model on the test split of the dataset it was trained on.")
                .positional("MODEL")
                .option("dataset", Args.Kind.TEXT, "NAME", null, "dataset to evaluate on (default: the one recorded in the model)")
                .option("data-dir", Args.Kind.TEXT, "DIR", null, "folder with the dataset's files")
                .option("batch", Args.Kind.INT, "B", "256", "batch size")
                .option("top", Args.Kind.INT, "K", "5", "also report top-K accuracy (a hit when the true class is among the K highest scores)");
    }

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = args();
        if (a.parse(argv)) {
            out.print(a.help());
            return 0;
        }
        int top = a.integer("top", 1), batch = a.integer("batch", 1);
        SavedModel m = SavedModel.load(a.requirePositional(0));
        String dataset = a.given("dataset") ? a.text("dataset") : m.dataset();
        if (dataset == null) throw new UsageException("the model records no dataset; pass --dataset");
        int side = m.inputShape() != null ? m.inputShape()[1] : 32;
        Dataset test = Datasets.open(dataset, a.text("data-dir"), side).test();
        Trainer.Evaluation ev = Trainer.evaluate(m.model(), test, batch, top);
        out.printf("%s on %s (%,d images): loss %.4f, top-1 accuracy %.2f%%, top-%d accuracy %.2f%%%n%n", a.requirePositional(0), test.name(),
                test.size(), ev.loss(), 100 * ev.accuracy(), ev.topK(), 100 * ev.topKAccuracy());
        int k = ev.confusion().length;
        double[] perClass = ev.perClassAccuracy();
        out.println("Per class accuracy and confusion matrix (rows: true class, columns: predicted):");
        for (int i = 0; i < k; i++) {
            StringBuilder row = new StringBuilder(String.format("  %-12s %6.2f%% ", truncate(m.className(i)), Double.isNaN(perClass[i]) ? 0 : 100 * perClass[i]));
            for (int v : ev.confusion()[i]) row.append(String.format("%6d", v));
            out.println(row);
        }
        return 0;
    }

    private static String truncate(String s) {
        return s.length() <= 12 ? s : s.substring(0, 11) + ".";
    }
}
