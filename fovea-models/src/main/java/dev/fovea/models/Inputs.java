package dev.fovea.models;

import dev.fovea.tensor.Tensor;

import java.util.Arrays;

/** The input checks the zoo's models share, so that a wrong image size fails with the model's name and its needs. */
final class Inputs {
    private Inputs() {}

    /**
     * Requires N x {@code channels} x H x W images with H and W at least {@code minSize}.
     *
     * @param model    the model's name, for the message ("ResNet-50")
     * @param builtFor the size the model was designed for, for the message ("224x224")
     */
    static void check(String model, Tensor x, int channels, int minSize, String builtFor) {
        if (x.dim() != 4 || x.size(1) != channels) {
            throw new IllegalArgumentException(model + ": input must be N x " + channels + " x H x W images, got shape " + Arrays.toString(x.shape()));
        }
        if (x.size(2) < minSize || x.size(3) < minSize) {
            throw new IllegalArgumentException(model + ": input " + x.size(2) + "x" + x.size(3) + " is too small; it needs at least "
                    + minSize + "x" + minSize + " (it is built for " + builtFor + ")");
        }
    }

    /**
     * Requires H and W within {@code [min, max]}: for classifiers that take feature maps of one exact size, so only
     * a narrow band of input sizes fits.
     *
     * @param why what fixes the band, for the message ("its classifier takes 6x6 maps")
     */
    static void checkRange(String model, Tensor x, int channels, int min, int max, String why) {
        check(model, x, channels, 1, min + "x" + min);
        int h = x.size(2), w = x.size(3);
        if (h < min || w < min || h > max || w > max) {
            String needs = min == max ? "exactly " + min + "x" + min : "height and width from " + min + " to " + max;
            throw new IllegalArgumentException(model + ": input " + h + "x" + w + (h < min || w < min ? " is too small" : " is too large")
                    + "; it needs " + needs + " (" + why + ")");
        }
    }

    static void positive(String model, int inChannels, int classes) {
        if (inChannels < 1 || classes < 1) {
            throw new IllegalArgumentException(model + ": input channels and classes must be positive, got " + inChannels + " and " + classes);
        }
    }
}
