package dev.fovea.models;

import dev.fovea.nn.AvgPool2d;
import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The transition between dense blocks, torchvision's {@code _Transition}: BN -> ReLU -> 1x1 conv (no bias) from
 * {@code in} to {@code out} channels (DenseNet-BC's compression: out = floor(0.5 in)) -> 2x2 average pooling,
 * halving the resolution. Names: {@code norm, conv, pool}.
 */
public final class Transition extends Module {
    private final int in, out;
    private final BatchNorm2d norm;
    private final Conv2d conv;
    private final AvgPool2d pool;

    public Transition(int in, int out) {
        this.in = in;
        this.out = out;
        norm = registerModule("norm", new BatchNorm2d(in));
        conv = registerModule("conv", new Conv2d(in, out, 1, 1, 0, 1, 1, false));
        pool = registerModule("pool", new AvgPool2d(2, 2));
    }

    @Override
    public Tensor forward(Tensor x) {
        return pool.call(conv.call(norm.call(x).relu()));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("out", out);
        return c;
    }
}
