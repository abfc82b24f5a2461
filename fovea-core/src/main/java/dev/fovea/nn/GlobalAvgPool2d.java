package dev.fovea.nn;

import dev.fovea.tensor.Pooling;
import dev.fovea.tensor.Tensor;

/** The mean of each channel: N x C x H x W to N x C x 1 x 1 (Network-in-Network's replacement for dense layers). */
public final class GlobalAvgPool2d extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return Pooling.globalAvgPool2d(x);
    }
}
