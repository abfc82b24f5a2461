package dev.fovea.web;

import dev.fovea.data.Dataset;
import dev.fovea.tensor.Rng;

import java.util.List;

/** A small learnable set of 1x28x28 images: a bright bar whose position is the class, in noise. Made from a seed. */
final class TinyData implements Dataset {
    private final float[] pixels;
    private final int[] labels;

    TinyData(int size, long seed) {
        Rng rng = new Rng(seed);
        pixels = new float[size * 784];
        labels = new int[size];
        for (int i = 0; i < size; i++) {
            int c = rng.nextInt(4);
            labels[i] = c;
            for (int p = 0; p < 784; p++) pixels[i * 784 + p] = (float) (0.3 * rng.nextGaussian());
            for (int y = 4 + 5 * c; y < 8 + 5 * c; y++) for (int x = 4; x < 24; x++) pixels[i * 784 + y * 28 + x] += 2;
        }
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int[] sampleShape() {
        return new int[] {1, 28, 28};
    }

    @Override
    public int numClasses() {
        return 4;
    }

    @Override
    public List<String> classNames() {
        return List.of("top", "upper", "lower", "bottom");
    }

    @Override
    public void sample(int index, float[] dst, int offset) {
        System.arraycopy(pixels, index * 784, dst, offset, 784);
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public String name() {
        return "tiny bars";
    }
}
