package dev.fovea.models;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One layer of a dense block (Huang et al., "Densely Connected Convolutional Networks", 2016), the "BC" bottleneck
 * form, torchvision's {@code _DenseLayer}: BN -> ReLU -> 1x1 conv to {@code bnSize x growth} -> BN -> ReLU -> 3x3
 * conv to {@code growth}, convolutions without bias. It returns only its {@code growth} new channels; the
 * {@link DenseBlock} concatenates them with everything before. Names: {@code norm1, conv1, norm2, conv2}.
 */
public final class DenseLayer extends Module {
    private final int in, growth, bnSize;
    private final BatchNorm2d norm1, norm2;
    private final Conv2d conv1, conv2;

    public DenseLayer(int in, int growth, int bnSize) {
        this.in = in;
        this.growth = growth;
        this.bnSize = bnSize;
        norm1 = registerModule("norm1", new BatchNorm2d(in));
        conv1 = registerModule("conv1", new Conv2d(in, bnSize * growth, 1, 1, 0, 1, 1, false));
        norm2 = registerModule("norm2", new BatchNorm2d(bnSize * growth));
        conv2 = registerModule("conv2", new Conv2d(bnSize * growth, growth, 3, 1, 1, 1, 1, false));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = conv1.call(norm1.call(x).relu());
        return conv2.call(norm2.call(y).relu());
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("growth", growth);
        c.put("bnSize", bnSize);
        return c;
    }
}
