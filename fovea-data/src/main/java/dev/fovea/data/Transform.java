package dev.fovea.data;

import dev.fovea.tensor.Rng;

import java.util.Arrays;
import java.util.List;

/**
 * One step of preprocessing or augmentation applied to a single sample: a {@code C x H x W} float array, laid out
 * channel, row, column. A transform draws every random choice from the {@link Rng} it is given, so its result is a
 * pure function of the input and the generator's seed; {@link TransformedDataset} hands each sample a generator
 * made from (seed, epoch, index).
 *
 * <p>A transform may modify {@code x} in place and return it, or return a new array; it must not keep state
 * between calls (fitted transforms such as {@link Whitening} hold only what they learned), so one instance can
 * serve the loader's background thread. Transforms that change the shape ({@link Transforms#resize},
 * {@link Transforms#centerCrop}) say so in {@link #outputShape(int[])}.
 */
@FunctionalInterface
public interface Transform {
    /**
     * Applies the transform to {@code x}, of shape {@code shape = {C, H, W}}, and returns the result, of shape
     * {@link #outputShape(int[]) outputShape(shape)}; {@code x} itself may be changed and returned.
     */
    float[] apply(float[] x, int[] shape, Rng rng);

    /** The shape of the result for inputs of shape {@code shape}; the same shape unless overridden. */
    default int[] outputShape(int[] shape) {
        return shape.clone();
    }

    /** This transform, then {@code next}. */
    default Transform andThen(Transform next) {
        return compose(List.of(this, next));
    }

    /** The transforms in order, each given the previous one's output and the same generator. */
    static Transform compose(List<Transform> steps) {
        List<Transform> all = List.copyOf(steps);
        return new Transform() {
            @Override
            public float[] apply(float[] x, int[] shape, Rng rng) {
                int[] s = shape.clone();
                for (Transform t : all) {
                    int[] next = t.outputShape(s);
                    x = t.apply(x, s, rng);
                    if (x.length != next[0] * next[1] * next[2]) {
                        throw new IllegalStateException(t + " returned " + x.length + " values for shape " + Arrays.toString(next));
                    }
                    s = next;
                }
                return x;
            }

            @Override
            public int[] outputShape(int[] shape) {
                int[] s = shape.clone();
                for (Transform t : all) s = t.outputShape(s);
                return s;
            }

            @Override
            public String toString() {
                return all.toString();
            }
        };
    }

    /** {@link #compose(List)} of the arguments. */
    static Transform compose(Transform... steps) {
        return compose(Arrays.asList(steps));
    }
}
