package dev.fovea.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A dataset whose samples say where they came from: element k of sample i is {@code i * 100 + k} and its label is
 * {@code i % numClasses}, so a test can check any batch against the indices it claims.
 */
class FakeDataset implements Dataset {
    private final int size;
    private final int[] shape;
    private final int numClasses;

    FakeDataset(int size, int c, int h, int w, int numClasses) {
        if (c * h * w > 100) throw new IllegalArgumentException("samples of at most 100 elements");
        this.size = size;
        this.shape = new int[] {c, h, w};
        this.numClasses = numClasses;
    }

    static float value(int index, int k) {
        return index * 100 + k;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int[] sampleShape() {
        return shape.clone();
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public List<String> classNames() {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) names.add("class " + c);
        return names;
    }

    @Override
    public void sample(int index, float[] dst, int offset) {
        Objects.checkIndex(index, size);
        int n = shape[0] * shape[1] * shape[2];
        for (int k = 0; k < n; k++) dst[offset + k] = value(index, k);
    }

    @Override
    public int label(int index) {
        return Objects.checkIndex(index, size) % numClasses;
    }

    @Override
    public String name() {
        return "fake";
    }
}
