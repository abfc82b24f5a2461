package dev.fovea.data;

import java.util.List;
import java.util.Objects;

/** The first {@code size} samples of another dataset; what {@link Dataset#limit(int)} returns. */
final class LimitedDataset implements Dataset {
    private final Dataset base;
    private final int size;

    LimitedDataset(Dataset base, int size) {
        // Limiting a limited dataset wraps the original, so chains of limit() stay one level deep.
        this.base = base instanceof LimitedDataset limited ? limited.base : base;
        this.size = size;
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
        base.sample(Objects.checkIndex(index, size), dst, offset);
    }

    @Override
    public int label(int index) {
        return base.label(Objects.checkIndex(index, size));
    }

    @Override
    public String name() {
        return base.name() + " (first " + size + ")";
    }

    @Override
    public String toString() {
        return name() + ", " + size + " samples";
    }
}
