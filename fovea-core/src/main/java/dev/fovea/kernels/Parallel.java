package dev.fovea.kernels;

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

    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    /** How long a worker polls for its next task before parking, in spin-wait hints (roughly 50-100 us). */
    private static final int SPINS = 1 << 13;

    /**
     * The workers (threads - 1 of them; the caller runs the first range itself). A pool that parks its threads
     * between tasks (an ExecutorService) took 55-65 us per fork and join here, most of it waking a parked thread:
     * for LeNet-5, whose steps run some 25 parallel operations of 50-500 us each, that was a fifth of a step. These
     * workers spin for a while after each task before they park, so an operation that follows within that window
     * starts at once.
     */
    private static final Worker[] WORKERS = new Worker[THREADS - 1];

    /** Held by the thread that is using the workers; another thread that finds them busy runs its ranges itself. */
    private static final java.util.concurrent.locks.ReentrantLock BUSY = new java.util.concurrent.locks.ReentrantLock();

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker();
            WORKERS[i].start();
        }
    }

    private static final class Worker extends Thread {
        private volatile RangeTask task;
        private volatile boolean parked, done = true;
        private int part, from, to;
        private Throwable failure;

        Worker() {
            super("fovea-worker");
            setDaemon(true);
        }

        /** Hands over one range; the plain fields are published by the volatile write of the task. */
        void hand(RangeTask t, int part, int from, int to) {
            this.part = part;
            this.from = from;
            this.to = to;
            this.failure = null;
            this.done = false;
            this.task = t;
            if (parked) java.util.concurrent.locks.LockSupport.unpark(this);
        }

        /** Waits for the range handed over last; its failure, if any. */
        Throwable await() {
            for (int i = 0; !done; i++) {
                if (i < SPINS) Thread.onSpinWait();
                else java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
            return failure;
        }

        @Override
        public void run() {
            INSIDE.set(true);
            while (true) {
                RangeTask t = task;
                for (int i = 0; t == null; i++, t = task) {
                    if (i < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (task == null) java.util.concurrent.locks.LockSupport.park(this);
                        parked = false;
                        i = 0;
                    }
                }
                try {
                    t.run(part, from, to);
                } catch (Throwable e) {
                    failure = e;
                }
                task = null;
                done = true;
            }
        }
    }

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
        if (!BUSY.tryLock()) {
            // Another thread has the workers (requests served in parallel, say): the same ranges, one after another.
            serial(() -> {
                for (int p = 0; p < parts; p++) task.run(p, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts));
            });
            return;
        }
        Throwable failure = null;
        try {
            for (int p = 1; p < parts; p++) {
                WORKERS[p - 1].hand(task, p, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts));
            }
            INSIDE.set(true);
            try {
                task.run(0, 0, (int) ((long) n / parts));
            } catch (Throwable t) {
                failure = t;
            } finally {
                INSIDE.set(false);
            }
            for (int p = 1; p < parts; p++) {
                Throwable f = WORKERS[p - 1].await();
                if (failure == null) failure = f;
            }
        } finally {
            BUSY.unlock();
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException(failure);
    }
}
