package dev.fovea.bench;

import java.io.PrintStream;

/**
 * {@code ./fovea bench}: see {@link BenchOptions#USAGE}. Exit status 0 on success, 2 for a usage mistake, 1 when
 * a benchmark fails.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        BenchOptions o;
        try {
            o = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("fovea bench: error: " + e.getMessage());
            return 2;
        }
        if (o.help()) {
            out.print(BenchOptions.USAGE);
            return 0;
        }
        // Both libraries read their thread count once, when they start: set it before either does.
        // The OpenBLAS comparison times both libraries on one thread and on several, in one run.
        int threads = "openblas".equals(o.vs()) ? Math.max(2, o.threads()) : o.threads();
        System.setProperty("fovea.threads", Integer.toString(threads));
        if ("pytorch".equals(o.vs()) && !o.foveaOnly()) TorchBackend.configure(o.threads());
        String command = BenchOptions.command(args);
        try {
            if (o.vs() == null) {
                Micro.run(o, command, out);
            } else if (o.vs().equals("pytorch")) {
                VsPyTorch.run(o, command, out);
            } else {
                VsOpenBlas.run(o, command, out, GemmShape.all());
            }
            return 0;
        } catch (Exception | LinkageError e) {
            err.println("fovea bench: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }
}
