package dev.fovea.models;

import dev.fovea.nn.AdaptiveAvgPool2d;
import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The VGG networks of Simonyan and Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
 * Recognition" (2014), as torchvision defines them: stacks of 3x3 convolutions (padding 1) with ReLU, five 2x2 max
 * poolings, adaptive average pooling to 7x7 and three fully connected layers.
 * <pre>
 *   VGG-11 (A): 64 M 128 M 256 256 M 512 512 M 512 512 M
 *   VGG-13 (B): 64 64 M 128 128 M 256 256 M 512 512 M 512 512 M
 *   VGG-16 (D): 64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M
 *   VGG-19 (E): 64 64 M 128 128 M 256 256 256 256 M 512 512 512 512 M 512 512 512 512 M
 *   classifier: 25088 -> 4096 -> ReLU -> dropout -> 4096 -> ReLU -> dropout -> classes
 * </pre>
 * With 3 channels and 1000 classes: VGG-11 132,863,336 parameters and 7.6 G multiply-adds per 224x224 image,
 * VGG-13 133,047,848 and 11.3 G, VGG-16 138,357,544 and 15.5 G, VGG-19 143,667,240 and 19.6 G. Of VGG-16's
 * parameters 123.6 M (89%) are in the classifier, 102.8 M in its first layer alone. With {@code batchNorm} a
 * BatchNorm2d follows every convolution (torchvision's {@code vgg16_bn}: 8,448 more parameters for VGG-16).
 * Names match torchvision ({@code features.0.weight}, ..., {@code classifier.6.bias}).
 *
 * <p>Built for 224x224; adaptive pooling takes any input of at least {@value #MIN_INPUT_SIZE}x{@value
 * #MIN_INPUT_SIZE} (1x1 maps after the fifth pooling, copied to 7x7). Convolutions are He-initialised, as are the
 * hidden fully connected layers, the last one Xavier.
 */
public final class VGG extends Module {
    /** The smallest height and width accepted, as in torchvision. */
    public static final int MIN_INPUT_SIZE = 32;

    /** Max pooling, in a {@link #layout(int)}. */
    static final int M = 0;

    /** The convolutions' widths in order, {@link #M} for a max pooling: the paper's configurations A, B, D, E. */
    static int[] layout(int depth) {
        return switch (depth) {
            case 11 -> new int[] {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
            case 13 -> new int[] {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
            case 16 -> new int[] {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
            case 19 -> new int[] {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M};
            default -> throw new IllegalArgumentException("VGG: depth must be 11, 13, 16 or 19, got " + depth);
        };
    }

    private final int depth, inChannels, classes;
    private final boolean batchNorm;
    private final Sequential features, classifier;
    private final AdaptiveAvgPool2d avgpool;

    public VGG(int depth, boolean batchNorm, int inChannels, int classes) {
        int[] layout = layout(depth);
        Inputs.positive("VGG-" + depth, inChannels, classes);
        this.depth = depth;
        this.batchNorm = batchNorm;
        this.inChannels = inChannels;
        this.classes = classes;
        List<Module> layers = new ArrayList<>();
        int in = inChannels;
        for (int v : layout) {
            if (v == M) {
                layers.add(new MaxPool2d(2, 2));
                continue;
            }
            layers.add(new Conv2d(in, v, 3, 1, 1));
            if (batchNorm) layers.add(new BatchNorm2d(v));
            layers.add(new ReLU());
            in = v;
        }
        features = registerModule("features", new Sequential(layers.toArray(Module[]::new)));
        avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(7));
        classifier = registerModule("classifier", new Sequential(
                new Linear(512 * 7 * 7, 4096), new ReLU(), new Dropout(0.5),
                new Linear(4096, 4096), new ReLU(), new Dropout(0.5),
                new Linear(4096, classes)));
    }

    public static VGG vgg11(int inChannels, int classes) {
        return new VGG(11, false, inChannels, classes);
    }

    public static VGG vgg13(int inChannels, int classes) {
        return new VGG(13, false, inChannels, classes);
    }

    public static VGG vgg16(int inChannels, int classes) {
        return new VGG(16, false, inChannels, classes);
    }

    public static VGG vgg19(int inChannels, int classes) {
        return new VGG(19, false, inChannels, classes);
    }

    public int depth() {
        return depth;
    }

    @Override
    public Tensor forward(Tensor x) {
        Inputs.check("VGG-" + depth, x, inChannels, MIN_INPUT_SIZE, "224x224");
        x = avgpool.call(features.call(x)).flatten(1);
        return classifier.call(x);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("depth", depth);
        c.put("batchNorm", batchNorm);
        c.put("inChannels", inChannels);
        c.put("classes", classes);
        return c;
    }
}
