package dev.fovea.bench;

/** A workload set up in one library, ready to run step after step on synthetic batches. */
public interface Task extends AutoCloseable {
    /**
     * One training step (forward, loss, backward, optimizer update) or one inference call on batch number
     * {@code batch} of the synthetic pool; returns the loss of a training step (read back, as a training loop
     * does) or NaN for inference.
     */
    double step(int batch);

    @Override
    default void close() {}
}
