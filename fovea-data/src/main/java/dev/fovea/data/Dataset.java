package dev.fovea.data;

import java.util.List;

/**
 * A fixed, indexable set of labelled images, the thing a {@link DataLoader} batches.
 *
 * <p>Samples are written into a caller's array rather than returned, so that a loader can fill one batch buffer
 * without a copy per image. Implementations must give the same sample for the same index every time and must be
 * safe to read from a thread other than the one that built them, because the loader prepares batches on a
 * background thread; an immutable dataset is both.
 */
public interface Dataset {
    /** The number of samples; indices run from 0 to {@code size() - 1}. */
    int size();

    /** The shape of one sample, {@code {channels, height, width}}. A copy. */
    int[] sampleShape();

    /** The number of classes; every label lies in {@code [0, numClasses())}. */
    int numClasses();

    /** A readable name for each class, indexed by label. */
    List<String> classNames();

    /**
     * Writes sample {@code index}, normalised and laid out channel, row, column, into
     * {@code dst[offset .. offset + sampleSize())}.
     */
    void sample(int index, float[] dst, int offset);

    /**
     * Writes sample {@code index} as seen in epoch {@code epoch}. Datasets whose samples vary from epoch to epoch
     * (a {@link TransformedDataset} drawing random augmentations) override this; for the others, the default, it
     * is {@link #sample(int, float[], int)}. {@link DataLoader} calls this one, with the epoch it is running, so an
     * augmented sample depends only on (seed, epoch, index), not on batch order or prefetching.
     */
    default void sample(int index, int epoch, float[] dst, int offset) {
        sample(index, dst, offset);
    }

    /** The class of sample {@code index}. */
    int label(int index);

    /** A short name for logs and messages, such as "Fashion-MNIST test". */
    String name();

    /** The number of floats one sample takes: the product of {@link #sampleShape()}. */
    default int sampleSize() {
        int n = 1;
        for (int d : sampleShape()) n *= d;
        return n;
    }

    /**
     * The first {@code n} samples, for quick runs and smoke tests. The samples are shared, not copied.
     *
     * @throws IllegalArgumentException unless {@code 1 <= n <= size()}: asking for more than there is is a mistake
     *     better caught than silently ignored
     */
    default Dataset limit(int n) {
        if (n < 1 || n > size()) {
            throw new IllegalArgumentException("limit(" + n + ") on " + name() + ": n must be between 1 and "
                    + size() + ", the number of samples");
        }
        if (n == size()) return this;
        return new LimitedDataset(this, 0, n, "first " + n);
    }

    /** Samples {@code start .. start + n - 1} as a dataset of their own (a view: nothing is copied). */
    default Dataset range(int start, int n, String label) {
        if (start < 0 || n < 1 || start + n > size()) {
            throw new IllegalArgumentException("range(" + start + ", " + n + ") on " + name() + ": outside its " + size() + " samples");
        }
        return new LimitedDataset(this, start, n, label);
    }
}
