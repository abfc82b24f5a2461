package dev.fovea.nn;

import dev.fovea.tensor.AdaptivePooling;
import dev.fovea.tensor.Tensor;

/**
 * Adaptive average pooling to a fixed output size, {@code AdaptiveAvgPool2d(outH, outW)} as
 * {@code torch.nn.AdaptiveAvgPool2d}: output cell (i, j) averages input rows [floor(i*H/outH), ceil((i+1)*H/outH))
 * and the columns likewise, whatever the input size (torchvision's VGG and AlexNet pool to 7x7 and 6x6 this way).
 * {@code AdaptiveAvgPool2d(1)} is global average pooling. See {@link AdaptivePooling}.
 */
public final class AdaptiveAvgPool2d extends AdaptivePool2d {
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    public AdaptiveAvgPool2d(int outH, int outW) {
        super("AdaptiveAvgPool2d", outH, outW);
    }

    @Override
    public Tensor forward(Tensor x) {
        return AdaptivePooling.adaptiveAvgPool2d(x, outH, outW);
    }
}
