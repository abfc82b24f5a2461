package dev.fovea.cli;

import dev.fovea.data.DataException;
import dev.fovea.data.Dataset;
import dev.fovea.nn.Module;
import dev.fovea.train.Trainer;
import dev.fovea.train.TrainingControl;
import dev.fovea.web.ServedModel;
import dev.fovea.web.TrainingFeed;
import dev.fovea.web.WebServer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code fovea serve [MODEL]}: the browser page for a saved model; and, for {@code fovea train --ui}, the same page
 * with the run live.
 */
final class ServeCommand {
    private ServeCommand() {}

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = new Args("serve", "Serves a page in the browser that shows what a saved model does: the network's layers and activations\n"
                + "for any image, explanations of each layer, a test strip, drawing and uploading images, a filter playground.\n"
                + "MODEL defaults to lenet5.fovea, what 'fovea train' saves. It listens on 127.0.0.1 only, unless --host says\n"
                + "otherwise; stop it with Ctrl-C.")
                .positional("MODEL")
                .option("port", Args.Kind.INT, "N", "8080", "port to listen on (0: any free port)")
                .option("host", Args.Kind.TEXT, "H", "127.0.0.1", "address to listen on; another than 127.0.0.1 lets other machines in")
                .option("data-dir", Args.Kind.TEXT, "DIR", null, "folder of the model's dataset, for the test strip (default: its standard place)");
        if (a.parse(argv)) {
            out.print(a.help());
            return 0;
        }
        String given = a.positionalOrNull(0);
        String file = given == null ? "lenet5.fovea" : given;
        if (given == null && !Files.exists(Path.of(file))) {
            throw new UsageException("no model given and no lenet5.fovea here; train one with 'fovea train' or name a model file");
        }
        SavedModel m = SavedModel.load(file);
        if (m.inputShape() == null) throw new UsageException("the model records no input shape, so the page cannot prepare images for it");
        Dataset test = null;
        if (m.dataset() != null) {
            try {
                test = Datasets.load(m.dataset(), a.text("data-dir"), false);
            } catch (DataException | UsageException e) {
                out.println("No test strip: " + e.getMessage());
            }
        }
        ServedModel served = new ServedModel(Path.of(file).getFileName().toString(), m.model(), m.classes(), m.inputShape(), m.mean(), m.std(), test);
        WebServer server = start(served, null, a, out);
        out.println("Serving " + file + " at " + server.uri() + "  (Ctrl-C stops it)");
        out.flush();
        waitForever(server);
        return 0;
    }

    private static WebServer start(ServedModel served, TrainingFeed feed, Args a, PrintStream out) throws IOException {
        int port = a.integer("port", 0);
        if (port > 65535) throw new UsageException("option --port: must be at most 65535, got " + port);
        try {
            return WebServer.start(served, feed, a.text("host"), port, out);
        } catch (BindException e) {
            throw new UsageException("cannot listen on " + a.text("host") + ":" + port + " (" + e.getMessage() + "); choose another with --port");
        }
    }

    private static void waitForever(WebServer server) {
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * For {@code fovea train --ui}: starts the page before training (its copies of the model are made now) and
     * wires the trainer to it. Returns what {@link #afterTraining} needs.
     */
    static Live live(Trainer trainer, String name, Module model, List<String> classes, int[] shape, Object mean, Object std, Dataset test,
                     int epochs, Args a, PrintStream out) throws IOException {
        TrainingFeed feed = new TrainingFeed(new TrainingControl());
        ServedModel served = new ServedModel(name, model, classes, shape, perChannel(mean), perChannel(std), test);
        WebServer server = start(served, feed, a, out);
        feed.attach(trainer, epochs);
        out.println("Training live at " + server.uri());
        out.flush();
        return new Live(feed, server);
    }

    record Live(TrainingFeed feed, WebServer server) {
        /** Records how the run ended; after a normal end the page stays up until Ctrl-C. */
        void afterTraining(Throwable error, PrintStream out) {
            feed.finished(error);
            if (error != null) {
                server.close();
                return;
            }
            out.println("Training is done; the page stays at " + server.uri() + " until Ctrl-C");
            out.flush();
            waitForever(server);
        }
    }

    private static double[] perChannel(Object v) {
        if (v instanceof Number n) return new double[] {n.doubleValue()};
        if (v instanceof List<?> l) {
            double[] out = new double[l.size()];
            for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).doubleValue();
            return out;
        }
        throw new IllegalStateException("normalisation constants of an unexpected kind: " + v);
    }
}
