package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

import java.util.List;

/**
 * A model that, while training, also produces auxiliary class scores whose losses are added to the main loss
 * with a weight (GoogLeNet's two side classifiers, weight 0.3). Trainers that see this interface train on
 * main + weight * sum(auxiliary) and measure accuracy on the main scores; evaluation uses {@link Module#call}.
 */
public interface AuxiliaryOutputs {
    /** Main scores, auxiliary scores (empty when the model has none or is not training) and their loss weight. */
    record Outputs(Tensor logits, List<Tensor> auxiliary, double weight) {}

    Outputs forwardTraining(Tensor x);
}
