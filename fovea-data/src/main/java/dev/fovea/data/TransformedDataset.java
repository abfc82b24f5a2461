package dev.fovea.data;

import dev.fovea.tensor.Rng;

import java.util.List;

/**
 * A view of a dataset with a {@link Transform} applied to each sample as it is read: how augmentation reaches the
 * {@link DataLoader}. Sample {@code index} in epoch {@code epoch} is transformed with a generator made only from
 * {@code (seed, epoch, index)}, so a run repeats exactly whatever the batch order, batch size or prefetching, and
 * each epoch sees fresh augmentations. The loader passes the epoch through
 * {@link Dataset#sample(int, int, float[], int)}; the plain {@link #sample(int, float[], int)} reads as epoch 0.
 *
 * <p>Wrap the training split only, and wrap last: a wrapper around this view (such as {@link Dataset#limit(int)})
 * does not pass the epoch on, so its samples would repeat epoch 0's augmentation.
 */
public final class TransformedDataset implements Dataset {
    private final Dataset base;
    private final Transform transform;
    private final long seed;
    private final int[] shape;

    public TransformedDataset(Dataset base, Transform transform, long seed) {
        this.base = base;
        this.transform = transform;
        this.seed = seed;
        this.shape = transform.outputShape(base.sampleShape());
        if (shape.length != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1) {
            throw new IllegalArgumentException(transform + " gives samples of shape " + java.util.Arrays.toString(shape));
        }
    }

    /** The generator for sample {@code index} in epoch {@code epoch}: SplitMix64-mixed, a pure function of the three. */
    public static Rng sampleRng(long seed, int epoch, int index) {
        long z = mix(seed + 0x9E3779B97F4A7C15L * (epoch + 1L));
        z = mix(z + 0xD1B54A32D192ED03L * (index + 1L));
        return new Rng(z);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public Dataset base() {
        return base;
    }

    public Transform transform() {
        return transform;
    }

    @Override
    public int size() {
        return base.size();
    }

    @Override
    public int[] sampleShape() {
        return shape.clone();
    }

    @Override
    public int numClasses() {
        return base.numClasses();
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }

    @Override
    public void sample(int index, float[] dst, int offset) {
        sample(index, 0, dst, offset);
    }

    @Override
    public void sample(int index, int epoch, float[] dst, int offset) {
        float[] x = new float[base.sampleSize()];
        base.sample(index, epoch, x, 0);
        float[] y = transform.apply(x, base.sampleShape(), sampleRng(seed, epoch, index));
        int n = shape[0] * shape[1] * shape[2];
        if (y.length != n) throw new IllegalStateException(transform + " returned " + y.length + " values, expected " + n);
        System.arraycopy(y, 0, dst, offset, n);
    }

    @Override
    public int label(int index) {
        return base.label(index);
    }

    @Override
    public String name() {
        return base.name() + " (augmented: " + transform + ")";
    }

    @Override
    public String toString() {
        return name() + ", " + size() + " samples";
    }
}
