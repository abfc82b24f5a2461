package dev.fovea.spark;

import dev.fovea.data.Dataset;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One partition's slice of a dataset, samples {@code start .. start + size() - 1} of the whole, held on the executor
 * that read it: the normalised pixels as floats and the labels. A {@link Dataset} of its own (indices from 0), so the
 * single-machine code (batching, {@link dev.fovea.train.Trainer#evaluate}) runs on it unchanged.
 */
final class Shard implements Dataset, Serializable {
    private final String name;
    private final int start;
    private final int[] shape;
    private final float[] pixels;
    private final int[] labels;
    private final ArrayList<String> classNames;

    private Shard(String name, int start, int[] shape, float[] pixels, int[] labels, List<String> classNames) {
        this.name = name;
        this.start = start;
        this.shape = shape;
        this.pixels = pixels;
        this.labels = labels;
        this.classNames = new ArrayList<>(classNames);
    }

    /** Reads samples {@code start .. start + count - 1} of {@code source} here, on the executor running the task. */
    static Shard read(ShardSource source, int start, int count) {
        Dataset d = source.open();
        if (start < 0 || count < 0 || start + count > d.size()) {
            throw new IllegalArgumentException(d.name() + ": shard " + start + ".." + (start + count - 1) + " lies outside its " + d.size() + " samples");
        }
        int n = d.sampleSize();
        float[] pixels = new float[count * n];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            d.sample(start + i, pixels, i * n);
            labels[i] = d.label(start + i);
        }
        return new Shard(d.name() + " [" + start + ", " + (start + count) + ")", start, d.sampleShape(), pixels, labels, d.classNames());
    }

    /**
     * Random images, for benchmarks: samples {@code start .. start + count - 1} of a made-up dataset whose pixels are
     * standard normal and whose labels are uniform, each a function of (seed, index) alone.
     */
    static Shard synthetic(long seed, int start, int count, int[] shape, int classes) {
        int n = shape[0] * shape[1] * shape[2];
        float[] pixels = new float[count * n];
        int[] labels = new int[count];
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) names.add("class " + c);
        for (int i = 0; i < count; i++) {
            dev.fovea.tensor.Rng r = new dev.fovea.tensor.Rng(seed * 1_000_003L + start + i);
            for (int j = 0; j < n; j++) pixels[i * n + j] = (float) r.nextGaussian();
            labels[i] = r.nextInt(classes);
        }
        return new Shard("synthetic [" + start + ", " + (start + count) + ")", start, shape.clone(), pixels, labels, names);
    }

    /** The index in the whole dataset of this shard's first sample. */
    int start() {
        return start;
    }

    /** Whether global index {@code i} lies in this shard. */
    boolean holds(int i) {
        return i >= start && i < start + labels.length;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int[] sampleShape() {
        return shape.clone();
    }

    @Override
    public int numClasses() {
        return classNames.size();
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public void sample(int index, float[] dst, int offset) {
        Objects.checkIndex(index, labels.length);
        int n = sampleSize();
        System.arraycopy(pixels, index * n, dst, offset, n);
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public String name() {
        return name;
    }
}
