package dev.fovea.train;

/**
 * Training stopped because the loss became NaN or infinite. The message names the epoch and step and, when it
 * could be found by running the batch again, the first layer whose output was not finite.
 */
public final class TrainingDivergedException extends IllegalStateException {
    private final int epoch, step;
    private final double loss;
    private final String layer;

    TrainingDivergedException(int epoch, int step, double loss, String layer) {
        super("training diverged: the loss became " + loss + " at epoch " + epoch + ", step " + step
                + (layer == null ? "" : "; the first non-finite output came from " + layer) + " (try a smaller learning rate)");
        this.epoch = epoch;
        this.step = step;
        this.loss = loss;
        this.layer = layer;
    }

    /** The epoch, from 1. */
    public int epoch() {
        return epoch;
    }

    /** The step within the epoch, from 1. */
    public int step() {
        return step;
    }

    public double loss() {
        return loss;
    }

    /** The first layer (as "layer PATH (Type)", or "the input batch") whose output was not finite, or null. */
    public String layer() {
        return layer;
    }
}
