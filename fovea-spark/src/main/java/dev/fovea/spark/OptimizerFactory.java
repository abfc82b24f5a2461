package dev.fovea.spark;

import dev.fovea.nn.Module;
import dev.fovea.optim.Optimizer;

import java.io.Serializable;

/**
 * Makes the optimizer of a model: the driver makes the one that applies every round's update, and with local SGD
 * each partition makes one for its local steps. Serializable, so that a lambda such as
 * {@code m -> new SGD(m.parameters(), 0.03, 0.9, 5e-4, false)} travels to the executors.
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {
    Optimizer create(Module model);
}
