package dev.fovea.models;

import dev.fovea.nn.AdaptiveAvgPool2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AlexNet as torchvision defines it: the single-tower variant of Krizhevsky's "one weird trick" paper (2014), with
 * 64, 192, 384, 256, 256 filters, no local response normalisation and overlapping 3x3 stride-2 max pooling.
 * <pre>
 *   features:   conv 64@11x11 /4 pad 2 -> ReLU -> max 3x3/2              224 -> 55 -> 27
 *               conv 192@5x5 pad 2 -> ReLU -> max 3x3/2                        27 -> 13
 *               conv 384@3x3 -> ReLU -> conv 256@3x3 -> ReLU -> conv 256@3x3 -> ReLU -> max 3x3/2   13 -> 6
 *   avgpool:    adaptive average pooling to 6x6
 *   classifier: dropout -> 9216 -> 4096 -> ReLU -> dropout -> 4096 -> ReLU -> classes
 * </pre>
 * 61,100,840 parameters and 0.714 G multiply-adds for a 224x224 image with 3 channels and 1000 classes; names
 * match torchvision's state dict ({@code features.0.weight}, ..., {@code classifier.6.bias}). Built for 224x224;
 * the adaptive pooling takes any input from {@value #MIN_INPUT_SIZE}x{@value #MIN_INPUT_SIZE} (where the last
 * pooling still sees a 3x3 map) up. Convolutions and hidden layers are He-initialised, the last layer Xavier.
 */
public final class AlexNet extends Module {
    /** The smallest height and width accepted, as in torchvision. */
    public static final int MIN_INPUT_SIZE = 63;

    private final int inChannels, classes;
    private final Sequential features, classifier;
    private final AdaptiveAvgPool2d avgpool;

    public AlexNet(int inChannels, int classes) {
        Inputs.positive("AlexNet", inChannels, classes);
        this.inChannels = inChannels;
        this.classes = classes;
        features = registerModule("features", new Sequential(
                new Conv2d(inChannels, 64, 11, 4, 2), new ReLU(), new MaxPool2d(3, 2),
                new Conv2d(64, 192, 5, 1, 2), new ReLU(), new MaxPool2d(3, 2),
                new Conv2d(192, 384, 3, 1, 1), new ReLU(),
                new Conv2d(384, 256, 3, 1, 1), new ReLU(),
                new Conv2d(256, 256, 3, 1, 1), new ReLU(), new MaxPool2d(3, 2)));
        avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(6));
        classifier = registerModule("classifier", new Sequential(
                new Dropout(0.5), new Linear(256 * 6 * 6, 4096), new ReLU(),
                new Dropout(0.5), new Linear(4096, 4096), new ReLU(),
                new Linear(4096, classes)));
    }

    public static AlexNet create(int inChannels, int classes) {
        return new AlexNet(inChannels, classes);
    }

    @Override
    public Tensor forward(Tensor x) {
        Inputs.check("AlexNet", x, inChannels, MIN_INPUT_SIZE, "224x224");
        x = avgpool.call(features.call(x)).flatten(1);
        return classifier.call(x);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("inChannels", inChannels);
        c.put("classes", classes);
        return c;
    }
}
