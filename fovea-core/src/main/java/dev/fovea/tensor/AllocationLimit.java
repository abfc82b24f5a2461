package dev.fovea.tensor;

import java.util.function.Supplier;

/**
 * A cap on the tensor elements one thread may create while it builds something an untrusted file describes. A
 * model file's architecture is a few numbers that make layers allocate their weights; without a cap, a header of
 * a few bytes could ask for a {@code Linear(40000, 40000)} and exhaust the heap before any size is compared with
 * the bytes the file really holds. Inside {@link #within}, every {@link Tensor#zeros} (which every layer's weights
 * and buffers come from) is charged first, and going over the cap throws {@link Exceeded} before the memory is
 * taken. Each tensor counts at least {@link #MIN_CHARGE} elements, so a description cannot build millions of
 * tiny layers either. Outside a limit the check is one read of a static field.
 */
public final class AllocationLimit {
    private AllocationLimit() {}

    /** What a tensor costs at least, standing for the bookkeeping of the layer that owns it. */
    public static final long MIN_CHARGE = 64;

    /** Thrown when the elements created inside {@link #within} go over the cap. */
    public static final class Exceeded extends RuntimeException {
        private final long limit;

        Exceeded(long limit) {
            super("it asks for more than " + limit + " tensor elements");
            this.limit = limit;
        }

        /** The cap that was reached, in elements. */
        public long limit() {
            return limit;
        }
    }

    /** How many threads are inside {@link #within}; zero lets {@link #charge} return after one read. */
    private static volatile int active;
    private static final ThreadLocal<long[]> LEFT = new ThreadLocal<>();

    /** Runs {@code action} on this thread with at most {@code elements} tensor elements created by it. */
    public static <T> T within(long elements, Supplier<T> action) {
        long[] outer = LEFT.get();
        LEFT.set(new long[] {elements, elements});
        synchronized (AllocationLimit.class) {
            active++;
        }
        try {
            return action.get();
        } finally {
            synchronized (AllocationLimit.class) {
                active--;
            }
            if (outer == null) LEFT.remove();
            else LEFT.set(outer);
        }
    }

    /** Charges {@code elements} against this thread's limit, if it has one; throws before the cap is passed. */
    static void charge(long elements) {
        if (active == 0) return;
        long[] left = LEFT.get();
        if (left == null) return;
        left[0] -= Math.max(elements, MIN_CHARGE);
        if (left[0] < 0) throw new Exceeded(left[1]);
    }
}
