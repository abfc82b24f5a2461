package dev.fovea.cli;

import dev.fovea.data.ImageFile;
import dev.fovea.tensor.Softmax;
import dev.fovea.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** {@code fovea predict MODEL IMAGE}: the three most likely classes of one image. */
final class PredictCommand {
    private PredictCommand() {}

    /** The command's options, for parsing and --help. */
    static Args args() {
        return new Args("predict", "Classifies one PNG or JPEG image with a saved model and prints the top-3 classes.\n"
                + "The image is converted to the model's input (grey or RGB, resized); Fashion-MNIST and MNIST show light objects on black.")
                .positional("MODEL").positional("IMAGE")
                .option("top", Args.Kind.INT, "K", "3", "how many classes to show");
    }

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = args();
        if (a.parse(argv)) {
            out.print(a.help());
            return 0;
        }
        SavedModel m = SavedModel.load(a.requirePositional(0));
        String image = a.requirePositional(1);
        int[] s = m.inputShape();
        if (s == null) throw new UsageException("the model records no input shape, so images cannot be prepared for it");
        float[] px = ImageFile.read(Path.of(image), s[0], s[1], s[2]);
        m.normalise(px, s[0]);
        Tensor prob = Softmax.softmax(m.model().predict(Tensor.of(px, 1, s[0], s[1], s[2])), 1);
        float[] p = prob.toFloatArray();
        int top = Math.min(a.integer("top", 1), p.length);
        out.println(image + ":");
        boolean[] used = new boolean[p.length];
        for (int r = 0; r < top; r++) {
            int best = -1;
            for (int k = 0; k < p.length; k++) if (!used[k] && (best < 0 || p[k] > p[best])) best = k;
            used[best] = true;
            out.printf("  %d. %-14s %6.2f%%%n", r + 1, m.className(best), 100 * p[best]);
        }
        return 0;
    }
}
