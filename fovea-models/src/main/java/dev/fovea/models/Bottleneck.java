package dev.fovea.models;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The three-layer bottleneck block of ResNet-50, -101 and -152, torchvision's {@code Bottleneck}:
 * <pre>
 *   out = relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + downsample(x))
 *   conv1 1x1 in -> planes,  conv2 3x3 planes -> planes (with the stride),  conv3 1x1 planes -> 4 x planes
 * </pre>
 * The stride sits on the 3x3 convolution ("ResNet v1.5", as in torchvision; the paper put it on the first 1x1).
 * The shortcut is a 1x1 projection with batch norm where the shape changes, the identity otherwise.
 * Convolutions are He-initialised, batch norms start at weight 1, bias 0.
 */
public final class Bottleneck extends Module {
    /** Output channels per {@code planes}. */
    public static final int EXPANSION = 4;

    private final int in, planes, stride;
    private final Conv2d conv1, conv2, conv3;
    private final BatchNorm2d bn1, bn2, bn3;
    private final Sequential downsample;

    public Bottleneck(int in, int planes, int stride) {
        if (in < 1 || planes < 1 || stride < 1) throw new IllegalArgumentException("Bottleneck: channels and stride must be positive, got in=" + in + ", planes=" + planes + ", stride=" + stride);
        this.in = in;
        this.planes = planes;
        this.stride = stride;
        int out = planes * EXPANSION;
        conv1 = registerModule("conv1", new Conv2d(in, planes, 1, 1, 0, 1, 1, false));
        bn1 = registerModule("bn1", new BatchNorm2d(planes));
        conv2 = registerModule("conv2", new Conv2d(planes, planes, 3, stride, 1, 1, 1, false));
        bn2 = registerModule("bn2", new BatchNorm2d(planes));
        conv3 = registerModule("conv3", new Conv2d(planes, out, 1, 1, 0, 1, 1, false));
        bn3 = registerModule("bn3", new BatchNorm2d(out));
        downsample = stride != 1 || in != out ? registerModule("downsample", ResNetBasicBlock.projection(in, out, stride)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor identity = downsample == null ? x : downsample.call(x);
        Tensor y = bn1.call(conv1.call(x)).relu();
        y = bn2.call(conv2.call(y)).relu();
        y = bn3.call(conv3.call(y));
        return y.add(identity).relu();
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("planes", planes);
        c.put("stride", stride);
        return c;
    }
}
