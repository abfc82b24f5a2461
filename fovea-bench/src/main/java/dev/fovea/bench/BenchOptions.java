package dev.fovea.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The options of {@code ./fovea bench}, parsed from the command line. Unset numbers are 0 (or NaN for seconds) and
 * get their defaults from the mode that uses them, since a GEMM measurement wants shorter runs than a training
 * step of ResNet-20.
 */
public record BenchOptions(String vs, List<String> workloads, int reps, double seconds, int threads, boolean quick,
                           boolean foveaOnly, String filter, boolean help) {

    public static final String USAGE = """
            usage: ./fovea bench [--vs pytorch|openblas] [options]

              (no --vs)       JMH micro-benchmarks of Fovea's SGEMM (Kernels.vector().gemm) and of each convolution
                              pass (forward, input gradient, weight gradient) at the LeNet-5 and ResNet-20 layer
                              shapes, in GFLOP/s and as a fraction of the measured FMA peak of one core
              --vs pytorch    LeNet-5 and ResNet-20 training, LeNet-5 inference and batch-1 latency in Fovea and in
                              PyTorch's CPU build (through DJL, offline), alternating runs: images/s and the ratio
              --vs openblas   Fovea's SGEMM against OpenBLAS's cblas_sgemm at the convolutions' GEMM shapes,
                              OpenBLAS on 1 and 2 threads: GFLOP/s, ratios and their geometric mean

            options:
              --workloads A,B   with --vs pytorch: any of lenet-train, lenet-infer, lenet-latency, resnet20-train
                                (default: all)
              --reps N          measured repetitions per side (default 5 against PyTorch, 3 against OpenBLAS)
              --seconds S       length of one repetition (default 3 against PyTorch, 0.5 against OpenBLAS;
                                with no --vs, the length of each JMH iteration, default 1)
              --threads T       threads for PyTorch's intra-op pool and for Fovea (-Dfovea.threads; kernels
                                without a parallel path stay on one) (default 1)
              --quick           a short run, for smoke tests: fewer and shorter repetitions
              --fovea-only      with --vs pytorch: run only the Fovea side (no PyTorch)
              --filter REGEX    with no --vs: only the JMH benchmarks whose name matches ("gemm SHAPE",
                                "conv LAYER PASS", "forkjoin")
              --help            this text
            """;

    public static BenchOptions parse(String... args) {
        String vs = null, filter = null;
        List<String> workloads = new ArrayList<>();
        int reps = 0, threads = 1;
        double seconds = Double.NaN;
        boolean quick = false, foveaOnly = false, help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--vs" -> {
                    vs = (value != null ? value : next(args, ++i, a)).toLowerCase(Locale.ROOT);
                    if (!vs.equals("pytorch") && !vs.equals("openblas")) {
                        throw new IllegalArgumentException("--vs must be pytorch or openblas, got '" + vs + "'");
                    }
                }
                case "--workloads" -> {
                    for (String w : (value != null ? value : next(args, ++i, a)).split(",")) {
                        if (w.isBlank()) continue;
                        if (!Workload.NAMES.contains(w.trim())) {
                            throw new IllegalArgumentException("unknown workload '" + w.trim() + "'; choose from " + String.join(", ", Workload.NAMES));
                        }
                        workloads.add(w.trim());
                    }
                }
                case "--reps" -> reps = positiveInt(value != null ? value : next(args, ++i, a), a);
                case "--seconds" -> {
                    String s = value != null ? value : next(args, ++i, a);
                    try {
                        seconds = Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--seconds needs a number, got '" + s + "'");
                    }
                    if (!(seconds > 0) || seconds > 3600) throw new IllegalArgumentException("--seconds must be in (0, 3600], got " + s);
                }
                case "--threads" -> threads = positiveInt(value != null ? value : next(args, ++i, a), a);
                case "--filter" -> filter = value != null ? value : next(args, ++i, a);
                case "--quick" -> quick = true;
                case "--fovea-only" -> foveaOnly = true;
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see ./fovea bench --help");
            }
        }
        if (workloads.isEmpty()) workloads.addAll(Workload.NAMES);
        return new BenchOptions(vs, List.copyOf(workloads), reps, seconds, threads, quick, foveaOnly, filter, help);
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static int positiveInt(String s, String option) {
        try {
            int v = Integer.parseInt(s);
            if (v < 1 || v > 1000) throw new IllegalArgumentException(option + " must be between 1 and 1000, got " + v);
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, got '" + s + "'");
        }
    }

    public int repsOr(int normal, int quickReps) {
        return reps > 0 ? reps : quick ? quickReps : normal;
    }

    public double secondsOr(double normal, double quickSeconds) {
        return !Double.isNaN(seconds) ? seconds : quick ? quickSeconds : normal;
    }

    /** The command that reproduces this run, for the reports. */
    public static String command(String[] args) {
        return "./fovea bench" + (args.length == 0 ? "" : " " + String.join(" ", Arrays.asList(args)));
    }
}
