package dev.fovea.data;

import java.util.List;
import java.util.Objects;

/**
 * Samples {@code start .. start + size - 1} of another dataset, sharing them: what {@link Dataset#limit(int)} and
 * {@link Dataset#range(int, int, String)} return.
 */
final class LimitedDataset implements Dataset {
    private final Dataset base;
    private final int start, size;
    private final String label;

    LimitedDataset(Dataset base, int start, int size, String label) {
        // A range of a range wraps the original, so chains stay one level deep.
        if (base instanceof LimitedDataset r) {
            this.base = r.base;
            this.start = r.start + start;
        } else {
            this.base = base;
            this.start = start;
        }
        this.size = size;
        this.label = label;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int[] sampleShape() {
        return base.sampleShape();
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
        base.sample(start + Objects.checkIndex(index, size), dst, offset);
    }

    @Override
    public int label(int index) {
        return base.label(start + Objects.checkIndex(index, size));
    }

    @Override
    public String name() {
        return base.name() + " (" + label + ")";
    }

    @Override
    public String toString() {
        return name() + ", " + size + " samples";
    }
}
