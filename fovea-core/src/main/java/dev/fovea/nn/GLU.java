package dev.fovea.nn;

import dev.fovea.tensor.ChannelOps;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gated linear unit, {@code GLU(dim)} as {@code torch.nn.GLU} (default dim = -1): the input is split in two
 * halves a, b along {@code dim} and the output is {@code a * sigmoid(b)}, half the size along {@code dim}. For
 * images use {@code GLU(1)}, the channel dimension. See {@link ChannelOps#glu}.
 */
public final class GLU extends Module {
    private final int dim;

    public GLU() {
        this(-1);
    }

    public GLU(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return ChannelOps.glu(x, dim);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("dim", dim);
        return c;
    }
}
