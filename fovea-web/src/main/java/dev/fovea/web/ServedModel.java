package dev.fovea.web;

import dev.fovea.data.Dataset;
import dev.fovea.nn.Module;

import java.util.Arrays;
import java.util.List;

/**
 * What the page shows: a model, what its inputs and outputs mean, and optionally a test set for the test strip
 * and the confusion matrix.
 *
 * @param name       for the page's title, such as the model file's name
 * @param model      the model; while it trains, the page reads it only between steps (see {@link Replicas})
 * @param classes    class names by index (may be shorter than the model's outputs)
 * @param inputShape C x H x W of one input
 * @param mean       normalisation: one number, or one per channel
 * @param std        the same for the standard deviation
 * @param test       normalised test samples of that shape, or null
 */
public record ServedModel(String name, Module model, List<String> classes, int[] inputShape, double[] mean, double[] std, Dataset test) {
    public ServedModel {
        if (inputShape == null || inputShape.length != 3) throw new IllegalArgumentException("the input shape must be C x H x W, got " + Arrays.toString(inputShape));
        for (int d : inputShape) if (d < 1 || d > 4096) throw new IllegalArgumentException("bad input shape " + Arrays.toString(inputShape));
        int c = inputShape[0];
        if (mean == null || mean.length != 1 && mean.length != c) throw new IllegalArgumentException("mean must have 1 or " + c + " numbers");
        if (std == null || std.length != 1 && std.length != c) throw new IllegalArgumentException("std must have 1 or " + c + " numbers");
        for (double s : std) if (!(s > 0)) throw new IllegalArgumentException("std must be positive, got " + s);
        if (test != null && !Arrays.equals(test.sampleShape(), inputShape)) {
            throw new IllegalArgumentException("the test set's samples are " + Arrays.toString(test.sampleShape()) + ", the model takes " + Arrays.toString(inputShape));
        }
        classes = List.copyOf(classes == null ? List.of() : classes);
        inputShape = inputShape.clone();
    }

    /** The number of numbers in one input. */
    int inputSize() {
        return inputShape[0] * inputShape[1] * inputShape[2];
    }

    String className(int k) {
        return k < classes.size() ? classes.get(k) : "class " + k;
    }

    /** Pixels in [0, 1] (C x H x W) to the model's normalised input, in place. */
    float[] normalise(float[] px) {
        int plane = inputShape[1] * inputShape[2];
        for (int i = 0; i < px.length; i++) {
            int c = i / plane;
            px[i] = (float) ((px[i] - mean[mean.length == 1 ? 0 : c]) / std[std.length == 1 ? 0 : c]);
        }
        return px;
    }

    /** The model's normalised input back to pixels, clamped to [0, 1], in place. */
    float[] denormalise(float[] x) {
        int plane = inputShape[1] * inputShape[2];
        for (int i = 0; i < x.length; i++) {
            int c = i / plane;
            double v = x[i] * std[std.length == 1 ? 0 : c] + mean[mean.length == 1 ? 0 : c];
            x[i] = (float) Math.min(1, Math.max(0, v));
        }
        return x;
    }
}
