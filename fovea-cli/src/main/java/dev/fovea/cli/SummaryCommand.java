package dev.fovea.cli;

import dev.fovea.models.Zoo;
import dev.fovea.nn.Module;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code fovea summary MODEL|NAME}: the layer table of a saved model or of a model from the zoo. */
final class SummaryCommand {
    private SummaryCommand() {}

    /** The command's options, for parsing and --help. */
    static Args args() {
        return new Args("summary", "Prints every layer's output shape, parameter count and multiply-adds for one input,\n"
                + "for a saved model file or a model name (" + String.join(", ", Zoo.names()) + ").")
                .positional("MODEL|NAME")
                .option("input", Args.Kind.TEXT, "C,H,W", null, "input shape (default: the one the model is built for)")
                .option("classes", Args.Kind.INT, "K", null, "number of classes when building a model by name (default: 1000 for ImageNet models, else 10)");
    }

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = args();
        if (a.parse(argv)) {
            out.print(a.help());
            return 0;
        }
        String what = a.requirePositional(0);
        Module model;
        int[] shape = null;
        if (Zoo.names().contains(what)) {
            shape = a.given("input") ? parseShape(a.text("input")) : Zoo.inputShape(what);
            int classes = a.given("classes") ? a.integer("classes", 1) : Zoo.inputShape(what)[1] >= 200 ? 1000 : 10;
            model = Zoo.create(what, shape[0], classes);
        } else if (Files.exists(Path.of(what))) {
            SavedModel m = SavedModel.load(what);
            model = m.model();
            shape = a.given("input") ? parseShape(a.text("input")) : m.inputShape() != null ? m.inputShape() : new int[] {1, 28, 28};
        } else {
            throw new UsageException("'" + what + "' is neither a model file nor a model name (" + String.join(", ", Zoo.names()) + ")");
        }
        out.print(model.summary(shape));
        return 0;
    }

    static int[] parseShape(String s) {
        String[] parts = s.split(",");
        if (parts.length != 3) throw new UsageException("option --input: expected C,H,W such as 1,28,28, got '" + s + "'");
        int[] shape = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                shape[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                shape[i] = 0;
            }
            if (shape[i] < 1 || shape[i] > 4096) throw new UsageException("option --input: '" + parts[i] + "' is not a size between 1 and 4096");
        }
        return shape;
    }
}
