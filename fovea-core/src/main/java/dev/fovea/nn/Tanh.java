package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

/** Hyperbolic tangent, LeNet-5's original squashing function. */
public final class Tanh extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
