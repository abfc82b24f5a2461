package dev.fovea.nn;

import dev.fovea.tensor.AdaptivePooling;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adaptive average pooling to a fixed output size, {@code AdaptiveAvgPool2d(outH, outW)} as
 * {@code torch.nn.AdaptiveAvgPool2d}: output cell (i, j) averages input rows [floor(i*H/outH), ceil((i+1)*H/outH))
 * and the columns likewise, whatever the input size (torchvision's VGG and AlexNet pool to 7x7 and 6x6 this way).
 * {@code AdaptiveAvgPool2d(1)} is global average pooling. See {@link AdaptivePooling}.
 */
public final class AdaptiveAvgPool2d extends Module {
    private final int outH, outW;

    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be positive, got " + outH + "x" + outW);
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return AdaptivePooling.adaptiveAvgPool2d(x, outH, outW);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("outH", outH);
        c.put("outW", outW);
        return c;
    }
}
