package dev.fovea.models;

import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.GlobalAvgPool2d;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MobileNetV2 (Sandler et al. 2018) as torchvision defines it: a 3x3/2 stem, seventeen {@link InvertedResidual}
 * blocks, a 1x1 convolution to 1280 channels, global average pooling, dropout 0.2 and a linear classifier.
 * <pre>
 *   expansion t, channels c, blocks n, first stride s:
 *   t=1 c=16 n=1 s=1;  t=6 c=24 n=2 s=2;  t=6 c=32 n=3 s=2;  t=6 c=64 n=4 s=2;
 *   t=6 c=96 n=3 s=1;  t=6 c=160 n=3 s=2;  t=6 c=320 n=1 s=1
 * </pre>
 * Activations are {@link ReLU6}. The width multiplier scales every layer's channels, rounded to a multiple of 8
 * (torchvision's {@code _make_divisible}); the last layer keeps at least 1280. At width 1.0 with 3 channels and
 * 1000 classes: 3,504,872 parameters and 0.30 G multiply-adds per 224x224 image. Names match torchvision
 * ({@code features.0.0.weight}, {@code features.1.conv.0.0.weight}, {@code classifier.1.weight}).
 *
 * <p>Initialised as torchvision: convolutions Kaiming normal with fan-out, batch norms 1 and 0, the classifier
 * N(0, 0.01) with zero bias. Built for 224x224; any input size works (five stride-2 layers take 224 to 7, 32 to 1).
 */
public final class MobileNetV2 extends Module {
    private static final int[][] SETTINGS = {
            {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    private final double width;
    private final int inChannels, classes;
    private final Sequential features, classifier;
    private final GlobalAvgPool2d avgpool;

    public MobileNetV2(double width, int inChannels, int classes) {
        if (!(width > 0)) throw new IllegalArgumentException("MobileNetV2: width multiplier must be positive, got " + width);
        Inputs.positive("MobileNetV2", inChannels, classes);
        this.width = width;
        this.inChannels = inChannels;
        this.classes = classes;
        int in = makeDivisible(32 * width);
        int last = makeDivisible(1280 * Math.max(1.0, width));
        List<Module> layers = new ArrayList<>();
        layers.add(InvertedResidual.convBnReLU6(inChannels, in, 3, 2, 1));
        for (int[] s : SETTINGS) {
            int out = makeDivisible(s[1] * width);
            for (int i = 0; i < s[2]; i++) {
                layers.add(new InvertedResidual(in, out, i == 0 ? s[3] : 1, s[0]));
                in = out;
            }
        }
        layers.add(InvertedResidual.convBnReLU6(in, last, 1, 1, 1));
        features = registerModule("features", new Sequential(layers.toArray(Module[]::new)));
        avgpool = registerModule("avgpool", new GlobalAvgPool2d());
        classifier = registerModule("classifier", new Sequential(new Dropout(0.2), new Linear(last, classes)));
        initialise(this);
    }

    public static MobileNetV2 create(int inChannels, int classes) {
        return new MobileNetV2(1.0, inChannels, classes);
    }

    /** torchvision's {@code _make_divisible(v, 8)}: the nearest multiple of 8, at least 8, never 10% below v. */
    static int makeDivisible(double v) {
        int d = 8;
        int n = Math.max(d, (int) (v + d / 2.0) / d * d);
        if (n < 0.9 * v) n += d;
        return n;
    }

    /** torchvision's MobileNetV2 initialisation, applied to every convolution and linear layer below {@code m}. */
    static void initialise(Module m) {
        Rng rng = Rng.global();
        for (Module c : m.namedModules().values()) {
            if (c instanceof Conv2d conv) {
                int[] s = conv.weight().shape();
                double std = Math.sqrt(2.0 / (s[0] * s[2] * s[3])); // Kaiming normal, fan_out, ReLU gain
                conv.weight().copyFrom(Tensor.randn(rng, s).mul(std));
            } else if (c instanceof Linear fc) {
                fc.weight().copyFrom(Tensor.randn(rng, fc.weight().shape()).mul(0.01));
                fc.bias().copyFrom(Tensor.zeros(fc.outFeatures()));
            }
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Inputs.check("MobileNetV2", x, inChannels, 1, "224x224");
        x = avgpool.call(features.call(x)).flatten(1);
        return classifier.call(x);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("width", width);
        c.put("inChannels", inChannels);
        c.put("classes", classes);
        return c;
    }
}
