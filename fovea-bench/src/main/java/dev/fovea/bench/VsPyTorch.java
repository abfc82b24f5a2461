package dev.fovea.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./fovea bench --vs pytorch}: each workload in Fovea and in PyTorch (through DJL) in the same JVM, on the
 * same synthetic batches and thread count. After a check that both sides' training really lowers the loss and a
 * warm-up, the measured repetitions alternate between the two libraries (and which goes first), so that a slow
 * moment of the machine hits both; each repetition runs steps for a fixed time. The table gives each side's
 * median and the Fovea/PyTorch speed ratio of the medians, with the lowest and highest ratio of neighbouring
 * repetitions.
 */
public final class VsPyTorch {
    private VsPyTorch() {}

    /**
     * One row of the result: rates in images per second (for latency rows, 1000 / median milliseconds), and
     * the speed ratio Fovea/PyTorch of each pair of neighbouring repetitions.
     */
    public record Row(Workload workload, double[] fovea, double[] torch, double[] ratios, String note) {
        public boolean measured() {
            return note == null;
        }

        public double foveaMedian() {
            return Stats.median(fovea);
        }

        public double torchMedian() {
            return Stats.median(torch);
        }
    }

    public record Report(String foveaDescription, String torchDescription, List<Row> rows, Table table) {}

    /** Runs the comparison and prints it; with {@code --fovea-only} the PyTorch side is left out. */
    public static Report run(BenchOptions o, String command, PrintStream out) {
        int reps = o.repsOr(5, 2);
        double seconds = o.secondsOr(3, 0.25);
        double warmup = o.quick() ? Math.min(seconds, 0.5) : Math.max(2, seconds);
        String load = Machine.quietNote();
        FoveaBackend fovea = new FoveaBackend();
        TorchBackend torch = null;
        if (!o.foveaOnly()) {
            long t0 = System.nanoTime();
            try {
                torch = new TorchBackend(o.threads());
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException("PyTorch did not load offline through DJL (" + e + "); its jars come from Maven with the"
                        + " fovea-bench build, and libtorch is unpacked into ~/.djl.ai (DJL_CACHE_DIR). --fovea-only runs Fovea alone.", e);
            }
            out.printf("PyTorch loaded offline in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
        out.println("Command: " + command);
        out.println("Machine: " + Machine.summary());
        out.println("Before:  " + load);
        out.println("Fovea:   " + fovea.description());
        if (torch != null) out.println("PyTorch: " + torch.description());
        out.printf("Method:  same synthetic batches for both; %d measured repetitions of %.2g s per side and workload, alternating sides, after a %.2g s warm-up%n%n",
                reps, seconds, warmup);
        List<Row> rows = new ArrayList<>();
        CpuWatch watch = CpuWatch.start();
        try {
            for (String name : o.workloads()) {
                rows.add(runOne(Workload.named(name), fovea, torch, reps, seconds, warmup, o.quick(), out));
            }
        } finally {
            if (torch != null) torch.close();
        }
        Table table = table(rows, torch != null);
        out.println();
        table.print(out);
        out.println();
        out.println("Rates are medians over the repetitions; latency is the median time of one batch-1 call. Fovea/PyTorch is the ratio of");
        out.println("the medians as speeds (above 1: Fovea is faster); in brackets the lowest and highest ratio of neighbouring repetitions.");
        for (Row r : rows) if (!r.measured()) out.println(r.workload().name() + ": " + r.note());
        out.println("During:  " + watch.note());
        return new Report(fovea.description(), torch == null ? null : torch.description(), rows, table);
    }

    static Table table(List<Row> rows, boolean withTorch) {
        Table t = withTorch
                ? new Table(2, "workload", "unit", "Fovea", "PyTorch", "Fovea/PyTorch (min..max)")
                : new Table(2, "workload", "unit", "Fovea");
        for (Row r : rows) {
            Workload w = r.workload();
            String unit = w.latency() ? "ms/image" : "images/s";
            if (!r.measured()) {
                t.row(w.name(), unit, "skipped", withTorch ? "" : null);
                continue;
            }
            String f = w.latency() ? String.format("%.3f", 1000 / r.foveaMedian()) : Stats.rate(r.foveaMedian());
            if (!withTorch) {
                t.row(w.name(), unit, f);
            } else {
                String p = w.latency() ? String.format("%.3f", 1000 / r.torchMedian()) : Stats.rate(r.torchMedian());
                t.row(w.name(), unit, f, p, Stats.ratio(r.fovea(), r.torch()));
            }
        }
        return t;
    }

    private static Row runOne(Workload w, Backend fovea, Backend torch, int reps, double seconds, double warmup, boolean quick, PrintStream out) {
        out.println("== " + w.name() + ": " + w.description());
        Synthetic data = new Synthetic(w, w.training() ? 8 : 4, 1);
        List<Backend> backends = new ArrayList<>();
        backends.add(fovea);
        if (torch != null) backends.add(torch);
        List<Runner> runners = new ArrayList<>();
        try {
            for (Backend b : backends) {
                try {
                    runners.add(new Runner(b.name(), b.create(w, data), w));
                } catch (Backend.Unavailable e) {
                    out.println("   skipped: " + e.getMessage());
                    return new Row(w, new double[0], new double[0], new double[0], "skipped: " + e.getMessage());
                }
            }
            if (w.training()) checkTraining(w, runners, quick, out);
            for (Runner r : runners) {
                quiesce();
                r.measure(warmup, 2);
            }
            CpuWatch watch = CpuWatch.start();
            double[][] rates = new double[runners.size()][reps];
            for (int rep = 0; rep < reps; rep++) {
                for (int i = 0; i < runners.size(); i++) {
                    int side = rep % 2 == 0 ? i : runners.size() - 1 - i;   // alternate which side goes first
                    quiesce();
                    rates[side][rep] = runners.get(side).measure(seconds, 1);
                }
            }
            StringBuilder line = new StringBuilder("   ");
            for (int i = 0; i < runners.size(); i++) {
                line.append(i == 0 ? "" : "; ").append(runners.get(i).name).append(w.latency() ? " ms/image: " : " images/s: ");
                double[] rr = rates[i];
                line.append(String.join(" ", Arrays.stream(rr).mapToObj(v -> w.latency() ? String.format("%.3f", 1000 / v) : Stats.rate(v)).toList()));
            }
            out.println(line);
            out.println("   measured while " + watch.note());
            double[] ratios = new double[reps];
            if (runners.size() == 2) for (int rep = 0; rep < reps; rep++) ratios[rep] = rates[0][rep] / rates[1][rep];
            return new Row(w, rates[0], runners.size() == 2 ? rates[1] : new double[0], runners.size() == 2 ? ratios : new double[0], null);
        } finally {
            for (Runner r : runners) r.task.close();
        }
    }

    /** Trains each side on one fixed batch for a few steps and checks that the loss goes down. */
    private static void checkTraining(Workload w, List<Runner> runners, boolean quick, PrintStream out) {
        int steps = quick ? 4 : w.model().equals("lenet5") ? 30 : 8;
        for (Runner r : runners) {
            double first = r.task.step(0), last = first;
            for (int s = 1; s < steps; s++) last = r.task.step(0);
            boolean ok = last < first && Double.isFinite(last);
            out.printf("   %s: loss on one fixed batch %.4f -> %.4f after %d steps%s%n", r.name, first, last, steps,
                    ok ? "" : "  WARNING: it did not go down; this side may not be training");
            if (!Double.isFinite(last)) throw new IllegalStateException(r.name + " diverged on " + w.name() + ": loss " + last);
        }
    }

    /**
     * Before each timed repetition: lets the other library's worker threads, which spin for a while after their
     * last task, go to sleep. (No System.gc() here: a full collection shrinks the heap, and Fovea's next
     * repetition then pays for regrowing it; measured at -30% on ResNet-20.)
     */
    static void quiesce() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs one side's task for a while, cycling through the synthetic batches. */
    static final class Runner {
        final String name;
        final Task task;
        final Workload workload;
        int next;

        Runner(String name, Task task, Workload workload) {
            this.name = name;
            this.task = task;
            this.workload = workload;
        }

        /** Steps for at least {@code seconds} and {@code minSteps} steps; images per second (latency: 1000 / median ms). */
        double measure(double seconds, int minSteps) {
            long budget = (long) (seconds * 1e9);
            long start = System.nanoTime(), now = start;
            int steps = 0;
            double[] times = workload.latency() ? new double[1 << 16] : null;
            while (steps < minSteps || now - start < budget) {
                long t0 = now;
                task.step(next++);
                now = System.nanoTime();
                if (times != null && steps < times.length) times[steps] = now - t0;
                steps++;
            }
            if (times != null) {
                double medianNs = Stats.median(Arrays.copyOf(times, Math.min(steps, times.length)));
                return 1e9 / medianNs * workload.batch();
            }
            return (double) steps * workload.batch() / ((now - start) / 1e9);
        }
    }
}
