package dev.fovea.models;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Init;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two-layer residual block of ResNet-18 and ResNet-34, torchvision's {@code BasicBlock}:
 * <pre>
 *   out = relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x))
 * </pre>
 * 3x3 convolutions without bias, the first carrying the stride. Where the shape changes (stride 2, or more
 * channels) the shortcut is a projection, {@code downsample} = 1x1 convolution with that stride + batch norm (the
 * paper's option B); otherwise the identity. (For the CIFAR networks' parameter-free shortcut see
 * {@link BasicBlock}.) Convolutions are He-initialised, batch norms start at weight 1, bias 0.
 */
public final class ResNetBasicBlock extends Module {
    private final int in, out, stride;
    private final Conv2d conv1, conv2;
    private final BatchNorm2d bn1, bn2;
    private final Sequential downsample;

    public ResNetBasicBlock(int in, int out, int stride) {
        if (in < 1 || out < 1 || stride < 1) throw new IllegalArgumentException("ResNetBasicBlock: channels and stride must be positive, got in=" + in + ", out=" + out + ", stride=" + stride);
        this.in = in;
        this.out = out;
        this.stride = stride;
        conv1 = registerModule("conv1", new Conv2d(in, out, 3, stride, 1, 1, 1, false));
        bn1 = registerModule("bn1", new BatchNorm2d(out));
        conv2 = registerModule("conv2", new Conv2d(out, out, 3, 1, 1, 1, 1, false));
        bn2 = registerModule("bn2", new BatchNorm2d(out));
        downsample = stride != 1 || in != out ? registerModule("downsample", projection(in, out, stride)) : null;
    }

    /** A 1x1 convolution with stride and batch norm, He-initialised: the shortcut of torchvision's ResNets. */
    static Sequential projection(int in, int out, int stride) {
        Conv2d conv = new Conv2d(in, out, 1, stride, 0, 1, 1, false);
        Sequential s = new Sequential(conv, new BatchNorm2d(out));
        conv.resetParameters(Init.HE, 0); // Sequential chose Xavier: no activation follows inside it
        return s;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor identity = downsample == null ? x : downsample.call(x);
        Tensor y = bn1.call(conv1.call(x)).relu();
        y = bn2.call(conv2.call(y));
        return y.add(identity).relu();
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("out", out);
        c.put("stride", stride);
        return c;
    }
}
