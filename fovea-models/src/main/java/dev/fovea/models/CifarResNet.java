package dev.fovea.models;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.GlobalAvgPool2d;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CIFAR-10 residual networks of He et al., "Deep Residual Learning for Image Recognition" (2015), section 4.2:
 * depth 6n+2 (ResNet-20, 32, 44, 56, 110 for n = 3, 5, 7, 9, 18).
 * <pre>
 *   conv 3x3, 16, no bias -> BN -> ReLU                     32x32
 *   layer1: n x BasicBlock(16)                              32x32
 *   layer2: n x BasicBlock(32), the first with stride 2     16x16
 *   layer3: n x BasicBlock(64), the first with stride 2      8x8
 *   global average pooling -> Linear(64, classes)
 * </pre>
 * Shortcuts are the paper's option A, free of parameters (see {@link ZeroPadShortcut}): ResNet-20 has 269,722
 * parameters and ResNet-56 853,018 for 3 input channels and 10 classes; ResNet-20 needs 40.55 M multiply-adds
 * per 32x32 image. (Projection shortcuts, option B, would add a 1x1 convolution and batch norm at the two stage
 * transitions, 2,752 parameters, for 272,474 and 855,770.)
 *
 * <p>Convolutions and the final layer are He-initialised (Kaiming normal, fan_in, as in the common PyTorch
 * reference implementation), batch norms start at weight 1 and bias 0, the final bias at 0. Names follow
 * torchvision ({@code conv1, bn1, layer1.0.conv1, ..., fc}).
 *
 * <p>The network is built for 32x32 images, but global pooling lets it take other sizes: 28x28 gives 7x7 maps in
 * the last stage, non-square inputs work too. Inputs smaller than {@value #MIN_INPUT_SIZE}x{@value #MIN_INPUT_SIZE}
 * (2x2 maps in the last stage) are refused as a likely mistake: the arithmetic would run down to 1x1, but below
 * 5x5 the last stage's 3x3 convolutions would see a single pixel surrounded by padding.
 */
public final class CifarResNet extends Module {
    /** The smallest height and width accepted. */
    public static final int MIN_INPUT_SIZE = 8;

    private final int depth, inChannels, classes;
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Sequential layer1, layer2, layer3;
    private final GlobalAvgPool2d avgpool;
    private final Linear fc;

    public CifarResNet(int depth, int inChannels, int classes) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("CifarResNet: depth must be 6n+2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, ...), got " + depth);
        }
        if (inChannels < 1 || classes < 1) {
            throw new IllegalArgumentException("CifarResNet: input channels and classes must be positive, got " + inChannels + " and " + classes);
        }
        this.depth = depth;
        this.inChannels = inChannels;
        this.classes = classes;
        int n = (depth - 2) / 6;
        conv1 = registerModule("conv1", new Conv2d(inChannels, 16, 3, 1, 1, 1, 1, false));
        bn1 = registerModule("bn1", new BatchNorm2d(16));
        layer1 = registerModule("layer1", stage(16, 16, n, 1));
        layer2 = registerModule("layer2", stage(16, 32, n, 2));
        layer3 = registerModule("layer3", stage(32, 64, n, 2));
        avgpool = registerModule("avgpool", new GlobalAvgPool2d());
        fc = registerModule("fc", new Linear(64, classes));
    }

    private static Sequential stage(int in, int out, int blocks, int stride) {
        Module[] b = new Module[blocks];
        b[0] = new BasicBlock(in, out, stride);
        for (int i = 1; i < blocks; i++) b[i] = new BasicBlock(out, out, 1);
        return new Sequential(b);
    }

    public static CifarResNet resnet20(int inChannels, int classes) {
        return new CifarResNet(20, inChannels, classes);
    }

    public static CifarResNet resnet32(int inChannels, int classes) {
        return new CifarResNet(32, inChannels, classes);
    }

    public static CifarResNet resnet44(int inChannels, int classes) {
        return new CifarResNet(44, inChannels, classes);
    }

    public static CifarResNet resnet56(int inChannels, int classes) {
        return new CifarResNet(56, inChannels, classes);
    }

    public static CifarResNet resnet110(int inChannels, int classes) {
        return new CifarResNet(110, inChannels, classes);
    }

    public int depth() {
        return depth;
    }

    public int inChannels() {
        return inChannels;
    }

    public int classes() {
        return classes;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != inChannels) {
            throw new IllegalArgumentException("ResNet-" + depth + ": input must be N x " + inChannels + " x H x W images, got shape " + Arrays.toString(x.shape()));
        }
        if (x.size(2) < MIN_INPUT_SIZE || x.size(3) < MIN_INPUT_SIZE) {
            throw new IllegalArgumentException("ResNet-" + depth + ": input " + x.size(2) + "x" + x.size(3) + " is too small; this CIFAR ResNet needs at least "
                    + MIN_INPUT_SIZE + "x" + MIN_INPUT_SIZE + " (it is built for 32x32)");
        }
        x = bn1.call(conv1.call(x)).relu();
        x = layer1.call(x);
        x = layer2.call(x);
        x = layer3.call(x);
        x = avgpool.call(x).flatten(1);
        return fc.call(x);
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
