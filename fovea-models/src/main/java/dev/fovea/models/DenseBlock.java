package dev.fovea.models;

import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dense block, torchvision's {@code _DenseBlock}: {@code layers} {@link DenseLayer}s, each reading the block's
 * input concatenated with the outputs of all layers before it, so {@code in} channels grow to
 * {@code in + layers x growth}. Layers are named {@code denselayer1}, {@code denselayer2}, ...
 */
public final class DenseBlock extends Module {
    private final int layers, in, growth, bnSize;
    private final DenseLayer[] denseLayers;

    public DenseBlock(int layers, int in, int growth, int bnSize) {
        if (layers < 1 || in < 1 || growth < 1 || bnSize < 1) {
            throw new IllegalArgumentException("DenseBlock: layers, channels, growth and bottleneck size must be positive, got "
                    + layers + ", " + in + ", " + growth + ", " + bnSize);
        }
        this.layers = layers;
        this.in = in;
        this.growth = growth;
        this.bnSize = bnSize;
        denseLayers = new DenseLayer[layers];
        for (int i = 0; i < layers; i++) {
            denseLayers[i] = registerModule("denselayer" + (i + 1), new DenseLayer(in + i * growth, growth, bnSize));
        }
    }

    public int outChannels() {
        return in + layers * growth;
    }

    @Override
    public Tensor forward(Tensor x) {
        for (DenseLayer layer : denseLayers) x = Tensor.concat(1, x, layer.call(x));
        return x;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("layers", layers);
        c.put("in", in);
        c.put("growth", growth);
        c.put("bnSize", bnSize);
        return c;
    }
}
