package dev.fovea.kernels;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits work over the machine's cores with one pool created once. Work is cut into as many contiguous ranges as
 * there are threads, always the same way for the same size and thread count, and each range's results are
 * combined by the caller in range order, so a run is repeatable bit for bit for a given thread count.
 *
 * <p>The thread count comes from the system property {@code fovea.threads} (default: available processors).
 */
public final class Parallel {
    private Parallel() {}

    /** Work on the half-open range [from, to) of items, as range number {@code part} of {@code parts}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int part, int from, int to);
    }

    private static final int THREADS = Math.max(1, Integer.getInteger("fovea.threads", Runtime.getRuntime().availableProcessors()));

    private static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Thread(r, "fovea-worker");
        t.setDaemon(true);
        return t;
    });

    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code work} with every kernel it calls on this thread only: for callers that are already parallel
     * themselves (many requests served at once, one per thread) and for benchmarks that time one thread.
     */
    public static void serial(Runnable work) {
        if (INSIDE.get()) {
            work.run();
            return;
        }
        INSIDE.set(true);
        try {
            work.run();
        } finally {
            INSIDE.set(false);
        }
    }

    /** How many ranges {@link #forRanges} will cut {@code n} items into (at least one item per range). */
    public static int parts(int n) {
        return INSIDE.get() ? 1 : Math.max(1, Math.min(THREADS, n));
    }

    /**
     * Runs {@code task} on {@link #parts(int)} contiguous ranges covering [0, n), the first on the calling thread,
     * and returns when all are done. Nested calls run serially, so kernels may call each other freely.
     */
    public static void forRanges(int n, RangeTask task) {
        int parts = parts(n);
        if (parts == 1) {
            task.run(0, 0, n);
            return;
        }
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int part = p, from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            futures[p - 1] = POOL.submit(() -> {
                INSIDE.set(true);
                try {
                    task.run(part, from, to);
                } finally {
                    INSIDE.set(false);
                }
            });
        }
        Throwable failure = null;
        INSIDE.set(true);
        try {
            task.run(0, 0, (int) ((long) n / parts));
        } catch (Throwable t) {
            failure = t;
        } finally {
            INSIDE.set(false);
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) failure = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException(failure);
    }
}
