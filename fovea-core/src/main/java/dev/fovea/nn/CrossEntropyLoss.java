package dev.fovea.nn;

import dev.fovea.tensor.Losses;
import dev.fovea.tensor.Tensor;

/** Mean cross-entropy between N x C logits and class indices, optionally with label smoothing (PyTorch's). */
public final class CrossEntropyLoss {
    private final double labelSmoothing;

    public CrossEntropyLoss() {
        this(0);
    }

    public CrossEntropyLoss(double labelSmoothing) {
        this.labelSmoothing = labelSmoothing;
    }

    public Tensor forward(Tensor logits, int[] targets) {
        return Losses.crossEntropy(logits, targets, labelSmoothing);
    }
}
