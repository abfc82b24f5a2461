package dev.fovea.nn;

import dev.fovea.tensor.AdaptivePooling;
import dev.fovea.tensor.Tensor;

/**
 * Adaptive max pooling to a fixed output size, {@code AdaptiveMaxPool2d(outH, outW)} as
 * {@code torch.nn.AdaptiveMaxPool2d}: output cell (i, j) is the maximum over input rows
 * [floor(i*H/outH), ceil((i+1)*H/outH)) and the columns likewise, whatever the input size; the gradient goes to the
 * first maximum of each bin. {@code AdaptiveMaxPool2d(1)} is global max pooling. See {@link AdaptivePooling}.
 */
public final class AdaptiveMaxPool2d extends AdaptivePool2d {
    public AdaptiveMaxPool2d(int size) {
        this(size, size);
    }

    public AdaptiveMaxPool2d(int outH, int outW) {
        super("AdaptiveMaxPool2d", outH, outW);
    }

    @Override
    public Tensor forward(Tensor x) {
        return AdaptivePooling.adaptiveMaxPool2d(x, outH, outW);
    }
}
