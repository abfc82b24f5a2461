package dev.fovea.models;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;

/**
 * A small VGG-style network for 28x28 images (MNIST, Fashion-MNIST): three stages of a 3x3 convolution with batch
 * norm, ReLU and 2x2 max pooling that double the channels as they halve the size, then a dropout-regularised
 * two-layer classifier.
 * <pre>
 *   conv 32@3x3 pad 1 -> BN -> ReLU -> max 2x2      28 -> 14
 *   conv 64@3x3 pad 1 -> BN -> ReLU -> max 2x2      14 -> 7
 *   conv 128@3x3 pad 1 -> BN -> ReLU -> max 2x2      7 -> 3
 *   1152 -> dropout 0.3 -> 256 -> ReLU -> dropout 0.3 -> classes
 * </pre>
 * With one input channel and 10 classes it has 390,858 parameters and 7.75 M multiply-adds per image: about 19 times
 * LeNet-5's arithmetic for roughly three points more accuracy on Fashion-MNIST.
 */
public final class SmallCnn {
    private SmallCnn() {}

    public static Sequential create(int inChannels, int classes) {
        return new Sequential(
                new Conv2d(inChannels, 32, 3, 1, 1), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
                new Conv2d(64, 128, 3, 1, 1), new BatchNorm2d(128), new ReLU(), new MaxPool2d(2),
                new Flatten(),
                new Dropout(0.3), new Linear(128 * 3 * 3, 256), new ReLU(),
                new Dropout(0.3), new Linear(256, classes));
    }
}
