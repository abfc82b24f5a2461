package dev.fovea.bench;

/** A library the comparison runs workloads in. */
public interface Backend extends AutoCloseable {
    /** A short name for the tables. */
    String name();

    /** The library, version and threading, as the report states it. */
    String description();

    /**
     * Sets up {@code w} on {@code data}; throws {@link Unavailable} when this library cannot run it (for example a
     * model it does not have yet).
     */
    Task create(Workload w, Synthetic data);

    @Override
    default void close() {}

    /** The workload cannot run in this library; the message says why, and the comparison skips it. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }
}
