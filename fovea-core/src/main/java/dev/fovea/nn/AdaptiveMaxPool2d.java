package dev.fovea.nn;

import dev.fovea.tensor.AdaptivePooling;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adaptive max pooling to a fixed output size, {@code AdaptiveMaxPool2d(outH, outW)} as
 * {@code torch.nn.AdaptiveMaxPool2d}: output cell (i, j) is the maximum over input rows
 * [floor(i*H/outH), ceil((i+1)*H/outH)) and the columns likewise, whatever the input size; the gradient goes to the
 * first maximum of each bin. {@code AdaptiveMaxPool2d(1)} is global max pooling. See {@link AdaptivePooling}.
 */
public final class AdaptiveMaxPool2d extends Module {
    private final int outH, outW;

    public AdaptiveMaxPool2d(int size) {
        this(size, size);
    }

    public AdaptiveMaxPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) throw new IllegalArgumentException("AdaptiveMaxPool2d: output size must be positive, got " + outH + "x" + outW);
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return AdaptivePooling.adaptiveMaxPool2d(x, outH, outW);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("outH", outH);
        c.put("outW", outW);
        return c;
    }
}
