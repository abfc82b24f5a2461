package dev.fovea.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * The machine's measured single-precision peak: a loop of independent fused multiply-adds on
 * {@code FloatVector.SPECIES_PREFERRED}, with enough accumulators (16) to cover the FMA latency on two pipes, and
 * nothing else. It is what a perfect kernel could reach from Java on one core (or on {@code threads} cores at once).
 */
public final class Peak {
    private Peak() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int ACCUMULATORS = 16;
    private static volatile float sink;

    /** GFLOP/s of the FMA loop on {@code threads} threads together, best of several short runs. */
    public static double measure(int threads, double seconds) {
        if (threads == 1) return best(seconds);
        List<Thread> ts = new ArrayList<>();
        double[] results = new double[threads];
        CyclicBarrier start = new CyclicBarrier(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                results[id] = best(seconds);
            }, "peak-" + t);
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        double sum = 0;
        for (double r : results) sum += r;
        return sum;
    }

    private static double best(double seconds) {
        long iters = 1 << 16;
        for (int i = 0; i < 50; i++) fmaLoop(iters); // compile with C2 before timing
        double best = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long t0 = System.nanoTime();
            fmaLoop(iters * 16);
            long dt = System.nanoTime() - t0;
            best = Math.max(best, (double) iters * 16 * ACCUMULATORS * S.length() * 2 / dt);
        } while (System.nanoTime() < end);
        return best;
    }

    /** c = c * a + b on 16 independent vectors; a < 1 keeps the values bounded, away from denormals and overflow. */
    static void fmaLoop(long iters) {
        FloatVector a = FloatVector.broadcast(S, 0.999f), b = FloatVector.broadcast(S, 0.001f);
        FloatVector c0 = FloatVector.broadcast(S, 1), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        FloatVector c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
            c12 = c12.fma(a, b); c13 = c13.fma(a, b); c14 = c14.fma(a, b); c15 = c15.fma(a, b);
        }
        FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7)
                .add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15);
        sink = s.reduceLanes(VectorOperators.ADD);
    }
}
