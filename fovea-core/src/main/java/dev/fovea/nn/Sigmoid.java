package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

/** 1 / (1 + e^-x). */
public final class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
