package dev.fovea.models;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MobileNetV2's inverted residual block (Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
 * 2018), torchvision's {@code InvertedResidual}: expand with a 1x1 convolution to {@code expandRatio x in}
 * channels, filter with a 3x3 depthwise convolution (groups = channels, carrying the stride), project back with a
 * 1x1 convolution and no activation (the linear bottleneck).
 * <pre>
 *   conv.0: 1x1 in -> hidden, BN, ReLU6       (absent when expandRatio is 1)
 *   conv.1: 3x3 depthwise hidden, stride s, BN, ReLU6
 *   conv.2: 1x1 hidden -> out,  conv.3: BN
 *   out = x + conv(x) when stride 1 and in == out, else conv(x)
 * </pre>
 * Convolutions have no bias and are initialised as in torchvision (Kaiming normal, fan-out). Names match torchvision ({@code conv.0.0.weight}, {@code conv.0.1.running_mean}, ...).
 */
public final class InvertedResidual extends Module {
    private final int in, out, stride, expandRatio;
    private final boolean residual;
    private final Sequential conv;

    public InvertedResidual(int in, int out, int stride, int expandRatio) {
        if (stride != 1 && stride != 2) throw new IllegalArgumentException("InvertedResidual: stride must be 1 or 2, got " + stride);
        if (in < 1 || out < 1 || expandRatio < 1) {
            throw new IllegalArgumentException("InvertedResidual: channels and expansion must be positive, got in=" + in + ", out=" + out + ", expandRatio=" + expandRatio);
        }
        this.in = in;
        this.out = out;
        this.stride = stride;
        this.expandRatio = expandRatio;
        this.residual = stride == 1 && in == out;
        int hidden = in * expandRatio;
        List<Module> layers = new ArrayList<>();
        if (expandRatio != 1) layers.add(convBnReLU6(in, hidden, 1, 1, 1));
        layers.add(convBnReLU6(hidden, hidden, 3, stride, hidden));
        layers.add(new Conv2d(hidden, out, 1, 1, 0, 1, 1, false));
        layers.add(new BatchNorm2d(out));
        conv = registerModule("conv", new Sequential(layers.toArray(Module[]::new)));
        MobileNetV2.initialise(this);
    }

    /** torchvision's {@code Conv2dNormActivation} with ReLU6: convolution (no bias, "same" padding), BN, ReLU6. */
    static Sequential convBnReLU6(int in, int out, int kernel, int stride, int groups) {
        return new Sequential(new Conv2d(in, out, kernel, stride, (kernel - 1) / 2, 1, groups, false), new BatchNorm2d(out), new ReLU6());
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = conv.call(x);
        return residual ? x.add(y) : y;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("out", out);
        c.put("stride", stride);
        c.put("expandRatio", expandRatio);
        return c;
    }
}
