package dev.fovea.train;

import dev.fovea.data.Dataset;

import java.util.List;
import java.util.Objects;

/**
 * A deterministic hold-out split: the last fraction of a dataset becomes the validation set, the rest the
 * training set. Both are views that share the samples. Taking the tail (rather than a random draw) makes the
 * split the same in every run and independent of the seed; Fashion-MNIST's and MNIST's training files are not
 * sorted by class, so the tail is a fair sample.
 *
 * @param train      samples {@code 0 .. n - v - 1}
 * @param validation samples {@code n - v .. n - 1}, {@code v = round(n * fraction)}
 */
public record ValidationSplit(Dataset train, Dataset validation) {

    /** @throws IllegalArgumentException unless {@code 0 < fraction < 1} and both parts get at least one sample */
    public static ValidationSplit of(Dataset data, double fraction) {
        if (!(fraction > 0 && fraction < 1)) throw new IllegalArgumentException("validation fraction must be between 0 and 1, got " + fraction);
        int n = data.size();
        int v = (int) Math.round(n * fraction);
        if (v < 1 || v >= n) {
            throw new IllegalArgumentException("a validation fraction of " + fraction + " of " + n + " samples leaves " + v
                    + " for validation and " + (n - v) + " for training; both need at least one");
        }
        return new ValidationSplit(new Range(data, 0, n - v, "training part"), new Range(data, n - v, v, "validation part"));
    }

    /** Samples {@code start .. start + size - 1} of another dataset. */
    private static final class Range implements Dataset {
        private final Dataset base;
        private final int start, size;
        private final String what;

        Range(Dataset base, int start, int size, String what) {
            this.base = base;
            this.start = start;
            this.size = size;
            this.what = what;
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
            return base.name() + " (" + what + ", " + size + " samples)";
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
