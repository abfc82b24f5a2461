package dev.fovea.optim;

/**
 * How the learning rate changes over a run, as a factor of the base rate at each optimizer step.
 * Cosine annealing (Loshchilov and Hutter) falls smoothly from 1 to 0 over the run, which lets SGD settle into a
 * minimum at the end instead of bouncing around it at a constant rate.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The factor for step {@code step} (0-based) of {@code totalSteps}. */
    double factor(long step, long totalSteps);

    LearningRateSchedule CONSTANT = (step, total) -> 1;

    LearningRateSchedule COSINE = (step, total) -> 0.5 * (1 + Math.cos(Math.PI * Math.min(step, total) / Math.max(1, total)));

    /** A schedule by name: "constant" or "cosine". */
    static LearningRateSchedule named(String name) {
        return switch (name) {
            case "constant" -> CONSTANT;
            case "cosine" -> COSINE;
            default -> throw new IllegalArgumentException("unknown learning-rate schedule '" + name + "'; available: constant, cosine");
        };
    }
}
