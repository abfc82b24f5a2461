package dev.fovea.train;

import dev.fovea.data.Dataset;
import dev.fovea.tensor.Rng;

import java.util.List;

/** A small learnable dataset: 1x4x4 images of Gaussian noise around a pattern per class, from a seed. */
final class Blobs implements Dataset {
    static final int PIXELS = 16;
    private final float[] pixels;
    private final int[] labels;
    private final int classes;

    Blobs(int size, int classes, long seed) {
        this.classes = classes;
        Rng rng = new Rng(seed);
        Rng patterns = new Rng(1234);
        float[][] means = new float[classes][PIXELS];
        for (float[] m : means) for (int k = 0; k < PIXELS; k++) m[k] = (float) patterns.nextGaussian();
        pixels = new float[size * PIXELS];
        labels = new int[size];
        for (int i = 0; i < size; i++) {
            labels[i] = rng.nextInt(classes);
            for (int k = 0; k < PIXELS; k++) pixels[i * PIXELS + k] = (float) (means[labels[i]][k] + 0.8 * rng.nextGaussian());
        }
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int[] sampleShape() {
        return new int[] {1, 4, 4};
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public List<String> classNames() {
        return java.util.stream.IntStream.range(0, classes).mapToObj(c -> "c" + c).toList();
    }

    @Override
    public void sample(int index, float[] dst, int offset) {
        System.arraycopy(pixels, index * PIXELS, dst, offset, PIXELS);
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public String name() {
        return "blobs";
    }
}
