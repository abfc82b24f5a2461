package dev.fovea.models;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.GlobalAvgPool2d;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DenseNet-BC (Huang et al., "Densely Connected Convolutional Networks", 2016): dense blocks of bottleneck layers
 * ({@link DenseBlock}, {@link DenseLayer}), each layer adding {@code growth} channels, separated by compressing
 * transitions ({@link Transition}), in torchvision's layout:
 * <pre>
 *   features: conv0 -> [norm0 -> relu0 -> pool0] -> denseblock1 -> transition1 -> ... -> denseblockK -> norm5
 *   then ReLU -> global average pooling -> classifier (Linear)
 * </pre>
 * For ImageNet ({@code smallInputs} false) conv0 is 7x7/2 followed by BN, ReLU and 3x3/2 max pooling, as in
 * torchvision; for 32x32 images ({@code smallInputs} true) it is a single 3x3 convolution, as in the paper's CIFAR
 * networks. Transitions keep floor({@code compression} x channels) channels.
 * <pre>
 *   DenseNet-121: growth 32, blocks [6, 12, 24, 16], 64 initial channels, bottleneck 4 x growth, compression 0.5
 *                 7,978,856 parameters (3 channels, 1000 classes), 2.83 G multiply-adds per 224x224 image
 *   DenseNet-BC-100 for 32x32: growth 12, blocks [16, 16, 16], 24 initial channels
 *                 769,162 parameters for 10 classes (the paper's "0.8M"), 288 M multiply-adds per 32x32 image
 * </pre>
 * Names match torchvision ({@code features.denseblock1.denselayer1.conv1.weight}, {@code features.norm5.weight},
 * {@code classifier.bias}). Convolutions are He-initialised, batch norms start at 1 and 0, the classifier's bias at 0.
 */
public final class DenseNet extends Module {
    private final int growth, initFeatures, bnSize, inChannels, classes;
    private final int[] blocks;
    private final double compression;
    private final boolean smallInputs;
    private final String name;
    private final int minInputSize;
    private final NamedSequential features;
    private final GlobalAvgPool2d avgpool;
    private final Linear classifier;

    public DenseNet(int growth, int[] blocks, int initFeatures, int bnSize, double compression, boolean smallInputs, int inChannels, int classes) {
        if (growth < 1 || initFeatures < 1 || bnSize < 1 || blocks.length == 0 || Arrays.stream(blocks).anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("DenseNet: growth, initial channels, bottleneck size and block lengths must be positive, got growth "
                    + growth + ", blocks " + Arrays.toString(blocks) + ", initFeatures " + initFeatures + ", bnSize " + bnSize);
        }
        if (!(compression > 0 && compression <= 1)) throw new IllegalArgumentException("DenseNet: compression must be in (0, 1], got " + compression);
        this.name = "DenseNet-" + (2 * Arrays.stream(blocks).sum() + blocks.length + 1);
        Inputs.positive(name, inChannels, classes);
        this.growth = growth;
        this.blocks = blocks.clone();
        this.initFeatures = initFeatures;
        this.bnSize = bnSize;
        this.compression = compression;
        this.smallInputs = smallInputs;
        this.inChannels = inChannels;
        this.classes = classes;

        features = registerModule("features", new NamedSequential());
        if (smallInputs) {
            features.add("conv0", new Conv2d(inChannels, initFeatures, 3, 1, 1, 1, 1, false));
        } else {
            features.add("conv0", new Conv2d(inChannels, initFeatures, 7, 2, 3, 1, 1, false));
            features.add("norm0", new BatchNorm2d(initFeatures));
            features.add("relu0", new ReLU());
            features.add("pool0", new MaxPool2d(3, 2, 1, false));
        }
        int channels = initFeatures;
        for (int i = 0; i < blocks.length; i++) {
            channels = features.add("denseblock" + (i + 1), new DenseBlock(blocks[i], channels, growth, bnSize)).outChannels();
            if (i < blocks.length - 1) {
                int out = (int) Math.floor(channels * compression);
                features.add("transition" + (i + 1), new Transition(channels, out));
                channels = out;
            }
        }
        features.add("norm5", new BatchNorm2d(channels));
        avgpool = registerModule("avgpool", new GlobalAvgPool2d());
        classifier = registerModule("classifier", new Linear(channels, classes));
        minInputSize = minInputSize(smallInputs, blocks.length);
    }

    /** The smallest size whose maps stay at least 1x1 through the stem and every transition's 2x2 pooling. */
    private static int minInputSize(boolean smallInputs, int blocks) {
        for (int h = 1; ; h++) {
            int s = smallInputs ? h : ((h - 1) / 2 + 1 - 1) / 2 + 1; // 7x7/2 pad 3, then 3x3/2 pad 1
            for (int t = 1; t < blocks; t++) s /= 2;
            if (s >= 1) return h;
        }
    }

    public static DenseNet densenet121(int inChannels, int classes) {
        return new DenseNet(32, new int[] {6, 12, 24, 16}, 64, 4, 0.5, false, inChannels, classes);
    }

    public static DenseNet densenet169(int inChannels, int classes) {
        return new DenseNet(32, new int[] {6, 12, 32, 32}, 64, 4, 0.5, false, inChannels, classes);
    }

    public static DenseNet densenet201(int inChannels, int classes) {
        return new DenseNet(32, new int[] {6, 12, 48, 32}, 64, 4, 0.5, false, inChannels, classes);
    }

    /** DenseNet-BC with L = 100, k = 12 for 32x32 images: three blocks of 16 bottleneck layers. */
    public static DenseNet densenetBC100(int inChannels, int classes) {
        return new DenseNet(12, new int[] {16, 16, 16}, 24, 4, 0.5, true, inChannels, classes);
    }

    /** The smallest height and width this network accepts. */
    public int minInputSize() {
        return minInputSize;
    }

    @Override
    public Tensor forward(Tensor x) {
        Inputs.check(name, x, inChannels, minInputSize, smallInputs ? "32x32" : "224x224");
        x = features.call(x).relu();
        return classifier.call(avgpool.call(x).flatten(1));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("growth", growth);
        c.put("blocks", blocks.clone());
        c.put("initFeatures", initFeatures);
        c.put("bnSize", bnSize);
        c.put("compression", compression);
        c.put("smallInputs", smallInputs);
        c.put("inChannels", inChannels);
        c.put("classes", classes);
        return c;
    }
}
