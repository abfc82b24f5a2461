package dev.fovea.models;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.GlobalAvgPool2d;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ImageNet residual networks of He et al., "Deep Residual Learning for Image Recognition" (2015), table 1,
 * as torchvision defines them:
 * <pre>
 *   conv1 7x7/2, 64, no bias -> BN -> ReLU -> max 3x3/2 pad 1          224 -> 112 -> 56
 *   layer1..layer4: blocks of 64, 128, 256, 512 planes                   56, 28, 14, 7
 *     (the first block of layers 2-4 has stride 2)
 *   global average pooling -> fc (512 or 2048) -> classes
 *
 *   ResNet-18:  [2, 2, 2, 2] basic blocks        11,689,512 parameters   1.81 G multiply-adds
 *   ResNet-34:  [3, 4, 6, 3] basic blocks        21,797,672              3.66 G
 *   ResNet-50:  [3, 4, 6, 3] bottleneck blocks   25,557,032              4.09 G
 *   ResNet-101: [3, 4, 23, 3] bottleneck blocks  44,549,160              7.80 G
 *   ResNet-152: [3, 8, 36, 3] bottleneck blocks  60,192,808             11.51 G
 * </pre>
 * (3 channels, 1000 classes, one 224x224 image). Blocks are {@link ResNetBasicBlock} and {@link Bottleneck},
 * with projection shortcuts where the shape changes. Names match torchvision's state dict ({@code conv1.weight},
 * {@code layer1.0.conv1.weight}, {@code layer2.0.downsample.0.weight}, {@code fc.bias}). Built for 224x224;
 * global pooling takes any input size. Convolutions and fc are He-initialised, batch norms start at 1 and 0.
 */
public final class ResNet extends Module {
    private final int depth, inChannels, classes;
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final MaxPool2d maxpool;
    private final Sequential layer1, layer2, layer3, layer4;
    private final GlobalAvgPool2d avgpool;
    private final Linear fc;

    public ResNet(int depth, int inChannels, int classes) {
        int[] blocks = switch (depth) {
            case 18 -> new int[] {2, 2, 2, 2};
            case 34, 50 -> new int[] {3, 4, 6, 3};
            case 101 -> new int[] {3, 4, 23, 3};
            case 152 -> new int[] {3, 8, 36, 3};
            default -> throw new IllegalArgumentException("ResNet: depth must be 18, 34, 50, 101 or 152, got " + depth);
        };
        Inputs.positive("ResNet-" + depth, inChannels, classes);
        this.depth = depth;
        this.inChannels = inChannels;
        this.classes = classes;
        boolean bottleneck = depth >= 50;
        conv1 = registerModule("conv1", new Conv2d(inChannels, 64, 7, 2, 3, 1, 1, false));
        bn1 = registerModule("bn1", new BatchNorm2d(64));
        maxpool = registerModule("maxpool", new MaxPool2d(3, 2, 1, false));
        int[] in = {64};
        layer1 = registerModule("layer1", stage(in, 64, blocks[0], 1, bottleneck));
        layer2 = registerModule("layer2", stage(in, 128, blocks[1], 2, bottleneck));
        layer3 = registerModule("layer3", stage(in, 256, blocks[2], 2, bottleneck));
        layer4 = registerModule("layer4", stage(in, 512, blocks[3], 2, bottleneck));
        avgpool = registerModule("avgpool", new GlobalAvgPool2d());
        fc = registerModule("fc", new Linear(in[0], classes));
    }

    /** A stage of {@code count} blocks of {@code planes}; {@code in[0]} carries the channel count from stage to stage. */
    private static Sequential stage(int[] in, int planes, int count, int stride, boolean bottleneck) {
        Module[] b = new Module[count];
        for (int i = 0; i < count; i++) {
            int s = i == 0 ? stride : 1;
            b[i] = bottleneck ? new Bottleneck(in[0], planes, s) : new ResNetBasicBlock(in[0], planes, s);
            in[0] = bottleneck ? planes * Bottleneck.EXPANSION : planes;
        }
        return new Sequential(b);
    }

    public static ResNet resnet18(int inChannels, int classes) {
        return new ResNet(18, inChannels, classes);
    }

    public static ResNet resnet34(int inChannels, int classes) {
        return new ResNet(34, inChannels, classes);
    }

    public static ResNet resnet50(int inChannels, int classes) {
        return new ResNet(50, inChannels, classes);
    }

    public static ResNet resnet101(int inChannels, int classes) {
        return new ResNet(101, inChannels, classes);
    }

    public static ResNet resnet152(int inChannels, int classes) {
        return new ResNet(152, inChannels, classes);
    }

    public int depth() {
        return depth;
    }

    @Override
    public Tensor forward(Tensor x) {
        Inputs.check("ResNet-" + depth, x, inChannels, 1, "224x224");
        x = maxpool.call(bn1.call(conv1.call(x)).relu());
        x = layer4.call(layer3.call(layer2.call(layer1.call(x))));
        return fc.call(avgpool.call(x).flatten(1));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("depth", depth);
        c.put("inChannels", inChannels);
        c.put("classes", classes);
        return c;
    }
}
