package dev.fovea.models;

import dev.fovea.nn.AvgPool2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.GlobalAvgPool2d;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Network in Network (Lin, Chen, Yan, 2013), the CIFAR-10 model of the paper's Caffe release: three "mlpconv"
 * layers, each a spatial convolution followed by two 1x1 convolutions (a small perceptron sliding over the image),
 * and no fully connected layer at all: the last 1x1 convolution makes one map per class and global average
 * pooling turns each map into that class's score.
 * <pre>
 *   conv 5x5, 192 pad 2 -> 1x1, 160 -> 1x1, 96 -> max 3x3/2 -> dropout 0.5        32 -> 16
 *   conv 5x5, 192 pad 2 -> 1x1, 192 -> 1x1, 192 -> avg 3x3/2 -> dropout 0.5       16 -> 8
 *   conv 3x3, 192 pad 1 -> 1x1, 192 -> 1x1, classes -> global average pooling      8 -> 1
 * </pre>
 * ReLU follows every convolution, the class maps' included, as in the original. Poolings round up (Caffe's
 * arithmetic, 32 -> 16 -> 8). With 3 channels and 10 classes: 966,986 parameters (0.97 M, of which only 1,930
 * in the class layer) and 222.5 M multiply-adds per 32x32 image. Layers are named as a {@code Sequential} under
 * {@code features}. Convolutions are He-initialised. Takes inputs of at least {@value #MIN_INPUT_SIZE}x{@value
 * #MIN_INPUT_SIZE}.
 */
public final class NetworkInNetwork extends Module {
    /** The smallest height and width for which both 3x3 poolings still fit. */
    public static final int MIN_INPUT_SIZE = 6;

    private final int inChannels, classes;
    private final Sequential features;
    private final GlobalAvgPool2d avgpool;

    public NetworkInNetwork(int inChannels, int classes) {
        Inputs.positive("NiN", inChannels, classes);
        this.inChannels = inChannels;
        this.classes = classes;
        features = registerModule("features", new Sequential(
                new Conv2d(inChannels, 192, 5, 1, 2), new ReLU(), new Conv2d(192, 160, 1), new ReLU(), new Conv2d(160, 96, 1), new ReLU(),
                new MaxPool2d(3, 2, 0, true), new Dropout(0.5),
                new Conv2d(96, 192, 5, 1, 2), new ReLU(), new Conv2d(192, 192, 1), new ReLU(), new Conv2d(192, 192, 1), new ReLU(),
                new AvgPool2d(3, 2, 0, true), new Dropout(0.5),
                new Conv2d(192, 192, 3, 1, 1), new ReLU(), new Conv2d(192, 192, 1), new ReLU(), new Conv2d(192, classes, 1), new ReLU()));
        avgpool = registerModule("avgpool", new GlobalAvgPool2d());
    }

    public static NetworkInNetwork create(int inChannels, int classes) {
        return new NetworkInNetwork(inChannels, classes);
    }

    @Override
    public Tensor forward(Tensor x) {
        Inputs.check("NiN", x, inChannels, MIN_INPUT_SIZE, "32x32");
        return avgpool.call(features.call(x)).flatten(1);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("inChannels", inChannels);
        c.put("classes", classes);
        return c;
    }
}
