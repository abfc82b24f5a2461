package dev.fovea.models;

import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

/**
 * min(max(0, x), 6), MobileNet's activation, robust in low precision. Computed as relu(x) - relu(x - 6), so its
 * gradient is 1 on (0, 6) and 0 elsewhere, as in PyTorch.
 */
public final class ReLU6 extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.relu().sub(x.sub(6).relu());
    }
}
