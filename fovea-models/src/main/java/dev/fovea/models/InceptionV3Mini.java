package dev.fovea.models;

import dev.fovea.nn.Dropout;
import dev.fovea.nn.GlobalAvgPool2d;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small network for 32x32 images built around Inception-v3's factorised block ({@link InceptionC}: 1x7 then 7x1
 * convolutions, batch norm everywhere), to train and study that block at CIFAR scale. The full Inception-v3 runs
 * its InceptionC blocks on a 17x17 grid; here they run on 16x16.
 * <pre>
 *   conv1   BasicConv2d 3x3, 32                    32x32
 *   conv2   BasicConv2d 3x3 /2, 64                 16x16
 *   mixed1  InceptionC(64, c7 = 32, 48 per branch)  -> 192 channels
 *   mixed2  InceptionC(192, c7 = 64, 64 per branch) -> 256 channels
 *   global average pooling -> dropout 0.5 -> fc 256 -> classes
 * </pre>
 * With 3 channels and 10 classes: 305,706 parameters (conv1 928, conv2 18,560, mixed1 61,184, mixed2 222,464, fc
 * 2,570), and 77.7 M multiply-adds per 32x32 image. Any input size works (the stride-2 convolution halves it).
 */
public final class InceptionV3Mini extends Module {
    private final int inChannels, classes;
    private final BasicConv2d conv1, conv2;
    private final InceptionC mixed1, mixed2;
    private final GlobalAvgPool2d avgpool;
    private final Dropout dropout;
    private final Linear fc;

    public InceptionV3Mini(int inChannels, int classes) {
        Inputs.positive("Inception-v3 mini", inChannels, classes);
        this.inChannels = inChannels;
        this.classes = classes;
        conv1 = registerModule("conv1", new BasicConv2d(inChannels, 32, 3, 1, 1));
        conv2 = registerModule("conv2", new BasicConv2d(32, 64, 3, 2, 1));
        mixed1 = registerModule("mixed1", new InceptionC(64, 32, 48));
        mixed2 = registerModule("mixed2", new InceptionC(mixed1.outChannels(), 64, 64));
        avgpool = registerModule("avgpool", new GlobalAvgPool2d());
        dropout = registerModule("dropout", new Dropout(0.5));
        fc = registerModule("fc", new Linear(mixed2.outChannels(), classes));
    }

    public static InceptionV3Mini create(int inChannels, int classes) {
        return new InceptionV3Mini(inChannels, classes);
    }

    @Override
    public Tensor forward(Tensor x) {
        Inputs.check("Inception-v3 mini", x, inChannels, 1, "32x32");
        x = mixed2.call(mixed1.call(conv2.call(conv1.call(x))));
        return fc.call(dropout.call(avgpool.call(x).flatten(1)));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("inChannels", inChannels);
        c.put("classes", classes);
        return c;
    }
}
