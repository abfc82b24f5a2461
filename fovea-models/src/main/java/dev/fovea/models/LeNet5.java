package dev.fovea.models;

import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;

/**
 * LeNet-5 in its common modern form for 28x28 inputs: ReLU and max pooling in place of the original tanh and
 * trainable sub-sampling.
 * <pre>
 *   conv 6@5x5 pad 2 -> ReLU -> max 2x2 -> conv 16@5x5 -> ReLU -> max 2x2 -> 400 -> 120 -> 84 -> classes
 * </pre>
 * With one input channel and 10 classes it has 61,706 parameters.
 */
public final class LeNet5 {
    private LeNet5() {}

    public static Sequential create(int inChannels, int classes) {
        return new Sequential(
                new Conv2d(inChannels, 6, 5, 1, 2), new ReLU(), new MaxPool2d(2),
                new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),
                new Flatten(),
                new Linear(16 * 5 * 5, 120), new ReLU(),
                new Linear(120, 84), new ReLU(),
                new Linear(84, classes));
    }
}
