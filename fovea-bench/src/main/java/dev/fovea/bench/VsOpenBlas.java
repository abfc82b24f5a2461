package dev.fovea.bench;

import dev.fovea.kernels.Buf;
import dev.fovea.kernels.Kernels;
import dev.fovea.kernels.Parallel;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code ./fovea bench --vs openblas}: Fovea's SGEMM ({@code Kernels.vector().gemm}, one thread and all) against OpenBLAS's
 * {@code cblas_sgemm} on one and on two threads, at square sizes and at the im2col GEMM shapes of the benchmark
 * convolutions ({@link ConvLayer#gemms()}). Both get the same matrices (OpenBLAS a native copy); the results are
 * compared once before timing. Repetitions alternate the three contenders and their order.
 */
public final class VsOpenBlas {
    private VsOpenBlas() {}

    public record Row(GemmShape shape, double[] fovea, double[] foveaN, double[] blas1, double[] blasN, double[] ratio1, double[] ratioN, double maxRelDiff) {}

    public record Report(boolean available, int blasThreads, List<Row> rows, Table table) {}

    public static Report run(BenchOptions o, String command, PrintStream out, List<GemmShape> shapes) {
        OpenBlas blas = OpenBlas.load();
        if (blas == null) {
            out.println("OpenBLAS is not installed (looked for " + OpenBlas.CANDIDATES.getFirst() + "); skipping the comparison.");
            out.println("Install it with: " + OpenBlas.INSTALL + "   (as root; otherwise sudo " + OpenBlas.INSTALL + ")");
            return new Report(false, 0, List.of(), null);
        }
        int reps = o.repsOr(3, 1);
        double seconds = o.secondsOr(0.5, 0.05);
        int many = Math.max(2, o.threads());
        out.println("Command: " + command);
        out.println("Machine: " + Machine.summary());
        out.println("Before: " + Machine.quietNote());
        out.println("OpenBLAS: " + blas.path() + ", kernels for " + blas.coreName() + " (" + blas.config() + ")");
        int foveaThreads = Parallel.threads();
        out.printf("Fovea: Kernels.vector().gemm on 1 thread (Parallel.serial) and on %d (-Dfovea.threads; columns of C split over the threads). OpenBLAS: 1 and %d threads.%n", foveaThreads, many);
        out.printf("Method: %d repetitions of %.2g s per contender and shape, alternating; GFLOP/s = 2MNK / time per call.%n%n", reps, seconds);

        Kernels fovea = Kernels.vector();
        warmUpJit(fovea, o.quick() ? 1 : 3);
        List<Row> rows = new ArrayList<>();
        CpuWatch watch = CpuWatch.start();
        try (Arena arena = Arena.ofConfined()) {
            for (GemmShape s : shapes) {
                SplittableRandom rng = new SplittableRandom(7);
                float[] a = random(rng, s.m() * s.k()), b = random(rng, s.k() * s.n());
                Buf.F32 fa = new Buf.F32(a), fb = new Buf.F32(b), fc = new Buf.F32(new float[s.m() * s.n()]);
                MemorySegment na = OpenBlas.copy(arena, a), nb = OpenBlas.copy(arena, b);
                MemorySegment nc = arena.allocate(ValueLayout.JAVA_FLOAT, (long) s.m() * s.n());
                Runnable foveaCallN = () -> fovea.gemm(s.ta(), s.tb(), s.m(), s.n(), s.k(), 1, fa, 0, s.lda(), fb, 0, s.ldb(), 0, fc, 0, s.ldc());
                Runnable foveaCall = () -> Parallel.serial(foveaCallN);
                Runnable blasCall = () -> blas.sgemm(s.ta(), s.tb(), s.m(), s.n(), s.k(), 1, na, s.lda(), nb, s.ldb(), 0, nc, s.ldc());

                blas.setThreads(1);
                foveaCall.run();
                blasCall.run();
                double diff = maxRelDiff(fc.a, nc.toArray(ValueLayout.JAVA_FLOAT));
                if (diff > 1e-4) throw new IllegalStateException("Fovea and OpenBLAS disagree on " + s.name() + ": max relative difference " + diff);
                foveaCallN.run();
                diff = Math.max(diff, maxRelDiff(fc.a, nc.toArray(ValueLayout.JAVA_FLOAT)));
                if (diff > 1e-4) throw new IllegalStateException("Fovea on " + foveaThreads + " threads and OpenBLAS disagree on " + s.name() + ": max relative difference " + diff);

                double warm = Math.min(0.3, Math.max(seconds, 0.05));
                rate(foveaCall, s, warm);
                rate(foveaCallN, s, warm);
                rate(blasCall, s, warm);
                double[] f = new double[reps], fn = new double[reps], b1 = new double[reps], bn = new double[reps];
                for (int r = 0; r < reps; r++) {
                    if (r % 2 == 0) {
                        f[r] = rate(foveaCall, s, seconds);
                        blas.setThreads(1);
                        b1[r] = rate(blasCall, s, seconds);
                        fn[r] = rate(foveaCallN, s, seconds);
                        blas.setThreads(many);
                        bn[r] = rate(blasCall, s, seconds);
                        settle(blas);
                    } else {
                        blas.setThreads(many);
                        bn[r] = rate(blasCall, s, seconds);
                        settle(blas);
                        fn[r] = rate(foveaCallN, s, seconds);
                        b1[r] = rate(blasCall, s, seconds);
                        f[r] = rate(foveaCall, s, seconds);
                    }
                }
                double[] r1 = new double[reps], rn = new double[reps];
                for (int r = 0; r < reps; r++) {
                    r1[r] = f[r] / b1[r];
                    rn[r] = fn[r] / bn[r];
                }
                Row row = new Row(s, f, fn, b1, bn, r1, rn, diff);
                rows.add(row);
                out.printf("  %-24s Fovea 1T %6.1f  OpenBLAS 1T %6.1f  Fovea %dT %6.1f  OpenBLAS %dT %6.1f GFLOP/s%n", s.name(),
                        Stats.median(f), Stats.median(b1), foveaThreads, Stats.median(fn), many, Stats.median(bn));
            }
        } finally {
            blas.setThreads(1);
        }
        Table t = table(rows, foveaThreads, many);
        out.println();
        t.print(out);
        out.println();
        out.println("GFLOP/s are medians over the repetitions. Ratios are Fovea's median over OpenBLAS's (above 1: Fovea is faster), in brackets");
        out.println("the lowest and highest ratio within one repetition. Geometric means are over the ratios of the rows they name.");
        out.println("During: " + watch.note());
        return new Report(true, many, rows, t);
    }

    static Table table(List<Row> rows, int foveaThreads, int many) {
        Table t = new Table(2, "shape", "op", "M", "N", "K", "Fovea 1T", "OpenBLAS 1T", "Fovea/OpenBLAS 1T",
                "Fovea " + foveaThreads + "T", "OpenBLAS " + many + "T", "Fovea/OpenBLAS " + foveaThreads + "T:" + many + "T");
        List<Double> g1 = new ArrayList<>(), gn = new ArrayList<>(), c1 = new ArrayList<>(), cn = new ArrayList<>();
        for (Row r : rows) {
            GemmShape s = r.shape();
            t.row(s.name(), s.op(), s.m(), s.n(), s.k(), String.format("%.1f", Stats.median(r.fovea())), String.format("%.1f", Stats.median(r.blas1())),
                    Stats.ratio(r.fovea(), r.blas1()), String.format("%.1f", Stats.median(r.foveaN())), String.format("%.1f", Stats.median(r.blasN())),
                    Stats.ratio(r.foveaN(), r.blasN()));
            double q1 = Stats.median(r.fovea()) / Stats.median(r.blas1()), qn = Stats.median(r.foveaN()) / Stats.median(r.blasN());
            g1.add(q1);
            gn.add(qn);
            if (!s.name().startsWith("square.")) {
                c1.add(q1);
                cn.add(qn);
            }
        }
        if (!c1.isEmpty() && c1.size() < g1.size()) {
            t.row("geomean, conv shapes", "", "", "", "", "", "", String.format("%.2f", geomean(c1)), "", "", String.format("%.2f", geomean(cn)));
        }
        t.row("geomean, all", "", "", "", "", "", "", String.format("%.2f", geomean(g1)), "", "", String.format("%.2f", geomean(gn)));
        return t;
    }

    private static double geomean(List<Double> xs) {
        return Stats.geomean(xs.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * Gets Fovea's GEMM compiled by C2 before anything is timed: all three operand layouts, small and large,
     * for {@code seconds}. (OpenBLAS needs no such warm-up; timing Fovea cold would measure the JIT.)
     */
    static void warmUpJit(Kernels k, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        SplittableRandom rng = new SplittableRandom(3);
        Buf.F32 a = new Buf.F32(random(rng, 256 * 512)), b = new Buf.F32(random(rng, 512 * 512)), c = new Buf.F32(new float[512 * 512]);
        while (System.nanoTime() < end) {
            k.gemm(false, false, 256, 512, 512, 1, a, 0, 512, b, 0, 512, 0, c, 0, 512);
            k.gemm(false, true, 256, 512, 512, 1, a, 0, 512, b, 0, 512, 0, c, 0, 512);
            k.gemm(true, false, 512, 256, 256, 1, a, 0, 512, b, 0, 256, 0, c, 0, 256);
            k.gemm(false, true, 16, 32, 4096, 1, b, 0, 4096, a, 0, 4096, 0, c, 0, 32);
            k.gemm(true, false, 100, 1000, 16, 1, a, 0, 100, b, 0, 1000, 0, c, 0, 1000);
        }
    }

    /** Drops OpenBLAS back to one thread and lets its spinning workers go to sleep before anyone else is timed. */
    private static void settle(OpenBlas blas) {
        blas.setThreads(1);
        try {
            Thread.sleep(150);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** GFLOP/s over at least {@code seconds} and at least 3 calls. */
    private static double rate(Runnable call, GemmShape s, double seconds) {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime(), now = start;
        int calls = 0;
        while (calls < 3 || now - start < budget) {
            call.run();
            calls++;
            now = System.nanoTime();
        }
        return s.flops() * calls / (now - start);
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rng.nextDouble() * 2 - 1);
        return x;
    }

    static double maxRelDiff(float[] x, float[] ref) {
        double maxRef = 0, maxDiff = 0;
        for (int i = 0; i < x.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            maxDiff = Math.max(maxDiff, Math.abs(x[i] - ref[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }
}
