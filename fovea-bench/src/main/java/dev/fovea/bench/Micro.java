package dev.fovea.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code ./fovea bench} without {@code --vs}: the JMH benchmarks {@link GemmBench}, {@link ConvBench} and
 * {@link ForkJoinBench}, one JMH
 * run (in its own forked JVM) per benchmark and shape so that results appear as they come, reported in GFLOP/s
 * and as a fraction of the measured FMA peak ({@link Peak}) and of the nominal 115 GFLOP/s per core.
 */
public final class Micro {
    private Micro() {}

    public record Result(String benchmark, String shape, double microsPerCall, double errorMicros, double gflops) {}

    public static List<Result> run(BenchOptions o, String command, PrintStream out) throws RunnerException {
        double iteration = o.secondsOr(0.5, 0.2);
        int warmups = o.quick() ? 2 : 3, measurements = o.quick() ? 2 : 5;
        int threads = o.threads();
        Pattern filter = o.filter() == null ? null : Pattern.compile(o.filter());
        out.println("Command: " + command);
        out.println("Machine: " + Machine.summary());
        out.println("Before: " + Machine.quietNote());
        double peak1 = Peak.measure(1, o.quick() ? 0.2 : 1);
        double peak = threads == 1 ? peak1 : Peak.measure(threads, o.quick() ? 0.2 : 1);
        out.printf("Measured FMA peak (FloatVector %s, 16 independent accumulators): %.1f GFLOP/s on 1 thread%s; nominal %.0f GFLOP/s per core%n",
                VectorInfo.describe(), peak1, threads == 1 ? "" : String.format(", %.1f on %d threads", peak, threads), Machine.NOMINAL_PEAK_GFLOPS_PER_CORE);
        out.printf("JMH: 1 fork, %d warm-up and %d measured iterations of %.2g s per benchmark; Fovea threads: %d (-Dfovea.threads)%n%n",
                warmups, measurements, iteration, threads);
        double nominal = Machine.NOMINAL_PEAK_GFLOPS_PER_CORE * threads;

        List<Result> results = new ArrayList<>();
        Table gemm = new Table(2, "SGEMM shape", "op", "M", "N", "K", "us/call", "GFLOP/s", "of peak", "of nominal");
        out.println("SGEMM, Kernels.vector().gemm (single-threaded), C = op(A) op(B):");
        for (GemmShape s : GemmShape.all()) {
            String id = "gemm " + s.name();
            if (filter != null && !filter.matcher(id).find()) continue;
            Result r = one(GemmBench.class.getName() + ".gemm", "shape", s.name(), s.flops(), o, iteration, warmups, measurements);
            results.add(r);
            gemm.row(s.name(), s.op(), s.m(), s.n(), s.k(), String.format("%.1f", r.microsPerCall()), String.format("%.1f", r.gflops()),
                    percent(r.gflops() / peak1), percent(r.gflops() / Machine.NOMINAL_PEAK_GFLOPS_PER_CORE));
            out.printf("  %-24s %8.1f GFLOP/s%n", s.name(), r.gflops());
        }
        Table conv = new Table(3, "layer", "pass", "shape", "ms/call", "GFLOP/s", "of peak", "of nominal");
        out.println("Convolution passes, Convolution.conv2d and backward, whole mini-batch:");
        for (ConvLayer l : ConvLayer.ALL) {
            for (String pass : List.of("forward", "inputGrad", "weightGrad")) {
                String id = "conv " + l.name() + " " + pass;
                if (filter != null && !filter.matcher(id).find()) continue;
                Result r = one(ConvBench.class.getName() + "." + pass, "layer", l.name(), l.flops(), o, iteration, warmups, measurements);
                results.add(r);
                String shape = String.format("%d x %d->%d, %dx%d pad %d, %dx%d", l.batch(), l.cin(), l.cout(), l.k(), l.k(), l.pad(), l.size(), l.size());
                conv.row(l.name(), pass, shape, String.format("%.2f", r.microsPerCall() / 1000), String.format("%.1f", r.gflops()),
                        percent(r.gflops() / peak), percent(r.gflops() / nominal));
                out.printf("  %-18s %-10s %8.1f GFLOP/s%n", l.name(), pass, r.gflops());
            }
        }
        Result fj = null;
        if (filter == null || filter.matcher("forkjoin").find()) {
            fj = one(ForkJoinBench.class.getName() + ".forkJoin", null, null, 0, o, iteration, warmups, measurements);
            results.add(fj);
        }
        out.println();
        gemm.print(out);
        out.println();
        conv.print(out);
        if (fj != null) {
            out.println();
            out.printf("Fork and join (Parallel.forRanges over %d part%s that do nothing): %.3f us per call%n", threads, threads == 1 ? "" : "s", fj.microsPerCall());
        }
        out.println();
        out.printf("Peak: the FMA loop measured above (%.1f GFLOP/s%s). Nominal: %.0f GFLOP/s per core.%n", peak,
                threads == 1 ? " on 1 thread" : " on " + threads + " threads, for the convolution rows", Machine.NOMINAL_PEAK_GFLOPS_PER_CORE);
        return results;
    }

    static String percent(double f) {
        return String.format("%.0f%%", 100 * f);
    }

    private static Result one(String benchmark, String param, String value, double flops, BenchOptions o, double iteration, int warmups, int measurements)
            throws RunnerException {
        return one(benchmark, param, value, flops, o.threads(), 1, iteration, warmups, measurements);
    }

    /** One JMH run of {@code benchmark} with {@code param=value}; {@code forks} 0 runs it in this JVM (tests only). */
    static Result one(String benchmark, String param, String value, double flops, int threads, int forks, double iteration, int warmups, int measurements)
            throws RunnerException {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark) + "$")
                .forks(forks)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.milliseconds((long) (iteration * 1000)))
                .measurementIterations(measurements)
                .measurementTime(TimeValue.milliseconds((long) (iteration * 1000)))
                .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "-Xss8m", "--sun-misc-unsafe-memory-access=allow", "-Dfovea.threads=" + threads)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
        if (param != null) b.param(param, value);
        Collection<RunResult> rs = new Runner(b.build()).run();
        if (rs.isEmpty()) throw new IllegalStateException("JMH ran nothing for " + benchmark + " " + value + " (is META-INF/BenchmarkList on the class path?)");
        RunResult r = rs.iterator().next();
        double us = r.getPrimaryResult().getScore();
        return new Result(benchmark, value, us, r.getPrimaryResult().getScoreError(), flops / (us * 1e-6) / 1e9);
    }
}
