package dev.fovea.optim;

import java.util.Arrays;

/**
 * How the learning rate changes over a run, as a factor of the base rate at each optimizer step. The trainer
 * asks for the factor before every step and sets the optimizer's rate to {@code base * factor}; the epoch of a
 * step is {@code step / stepsPerEpoch} (0-based), so schedules defined per epoch (step, multi-step,
 * exponential), as PyTorch's schedulers stepped once an epoch, hold their factor through an epoch, while cosine
 * and one-cycle move every step.
 *
 * <p>Cosine annealing (Loshchilov and Hutter) falls smoothly from 1 to 0 over the run, which lets SGD settle
 * into a minimum at the end instead of bouncing around it at a constant rate. A linear warm-up
 * ({@link #withWarmup(int)}) multiplies any schedule, as PyTorch's {@code ChainedScheduler} of a
 * {@code LinearLR} and another scheduler does.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /**
     * The factor for step {@code step} (0-based) of a run of {@code totalSteps} steps with {@code stepsPerEpoch}
     * steps per epoch.
     */
    double factor(long step, long totalSteps, long stepsPerEpoch);

    /** The 0-based epoch of a step. */
    static long epochOf(long step, long stepsPerEpoch) {
        return step / Math.max(1, stepsPerEpoch);
    }

    /** 1 throughout. */
    LearningRateSchedule CONSTANT = (step, total, perEpoch) -> 1;

    /**
     * Cosine annealing over the whole run, per step: {@code 0.5 * (1 + cos(pi * step / totalSteps))}, which is
     * PyTorch's {@code CosineAnnealingLR} with {@code T_max} the total step count and {@code eta_min} 0.
     */
    LearningRateSchedule COSINE = (step, total, perEpoch) -> 0.5 * (1 + Math.cos(Math.PI * Math.min(step, total) / Math.max(1, total)));

    /** PyTorch's {@code StepLR}: {@code gamma^floor(epoch / stepSize)}, a drop every {@code stepSize} epochs. */
    static LearningRateSchedule step(int stepSize, double gamma) {
        if (stepSize < 1) throw new IllegalArgumentException("step size must be at least 1 epoch, got " + stepSize);
        checkGamma(gamma);
        return (step, total, perEpoch) -> Math.pow(gamma, epochOf(step, perEpoch) / stepSize);
    }

    /**
     * PyTorch's {@code MultiStepLR}: {@code gamma^k} where k is the number of milestones at or before the epoch;
     * milestones are epoch numbers (0-based, so milestone 30 drops the rate from the 31st epoch on), increasing.
     */
    static LearningRateSchedule multiStep(int[] milestones, double gamma) {
        if (milestones.length == 0) throw new IllegalArgumentException("multi-step schedule needs at least one milestone");
        for (int i = 0; i < milestones.length; i++) {
            if (milestones[i] < 1 || i > 0 && milestones[i] <= milestones[i - 1]) {
                throw new IllegalArgumentException("milestones must be positive epoch numbers in increasing order, got " + Arrays.toString(milestones));
            }
        }
        checkGamma(gamma);
        int[] ms = milestones.clone();
        return (step, total, perEpoch) -> {
            long epoch = epochOf(step, perEpoch);
            int k = 0;
            while (k < ms.length && ms[k] <= epoch) k++;
            return Math.pow(gamma, k);
        };
    }

    /** PyTorch's {@code ExponentialLR}: {@code gamma^epoch}. */
    static LearningRateSchedule exponential(double gamma) {
        checkGamma(gamma);
        return (step, total, perEpoch) -> Math.pow(gamma, epochOf(step, perEpoch));
    }

    /** {@link #oneCycle(double, double, double)} with PyTorch's defaults: 0.3, 25 and 1e4. */
    static LearningRateSchedule oneCycle() {
        return oneCycle(0.3, 25, 1e4);
    }

    /**
     * PyTorch's {@code OneCycleLR} (Smith) with cosine annealing, two phases, per step, the base rate playing
     * {@code max_lr}: the factor rises from {@code 1 / divFactor} to 1 over the first
     * {@code pctStart * totalSteps - 1} steps, then falls to {@code 1 / (divFactor * finalDivFactor)} at the last
     * step, each phase along {@code end + (start - end) / 2 * (1 + cos(pi * pct))}. Momentum cycles the other way
     * between PyTorch's defaults, 0.95 and 0.85 (see {@link #oneCycle(double, double, double, double, double)}).
     */
    static LearningRateSchedule oneCycle(double pctStart, double divFactor, double finalDivFactor) {
        return oneCycle(pctStart, divFactor, finalDivFactor, 0.85, 0.95);
    }

    /**
     * One-cycle with momentum cycling, as PyTorch's {@code OneCycleLR} with {@code cycle_momentum=True}: momentum
     * falls from {@code maxMomentum} to {@code baseMomentum} while the rate rises, and climbs back while it falls,
     * on the same cosine phases, so the step size stays moderate at the peak rate. The trainer sets it before every
     * step through {@link Optimizer#setCycledMomentum} (SGD's and RMSprop's momentum, Adam's beta1), whatever the
     * optimizer was built with.
     */
    static LearningRateSchedule oneCycle(double pctStart, double divFactor, double finalDivFactor, double baseMomentum, double maxMomentum) {
        return new OneCycle(pctStart, divFactor, finalDivFactor, baseMomentum, maxMomentum);
    }

    /**
     * The momentum for step {@code step}, or NaN to leave the optimizer's own: every schedule but one-cycle's
     * leaves it.
     */
    default double momentum(long step, long totalSteps, long stepsPerEpoch) {
        return Double.NaN;
    }

    private static void checkGamma(double gamma) {
        if (!(gamma > 0) || Double.isInfinite(gamma)) throw new IllegalArgumentException("gamma must be a positive number, got " + gamma);
    }

    /**
     * This schedule times a linear warm-up over the first {@code epochs} epochs: at step {@code s} of the
     * {@code W = epochs * stepsPerEpoch} warm-up steps the factor is multiplied by {@code (s + 1) / W}, so the
     * first step takes {@code 1/W} of the rate and step {@code W - 1} the full rate; later steps are unchanged.
     * The schedule itself keeps counting from step 0 (milestones stay where they were). 0 epochs: no warm-up.
     */
    default LearningRateSchedule withWarmup(int epochs) {
        if (epochs < 0) throw new IllegalArgumentException("warm-up epochs must not be negative, got " + epochs);
        if (epochs == 0) return this;
        LearningRateSchedule inner = this;
        return new LearningRateSchedule() {
            @Override
            public double factor(long step, long total, long perEpoch) {
                long w = epochs * Math.max(1, perEpoch);
                double f = inner.factor(step, total, perEpoch);
                return step < w ? f * (step + 1) / w : f;
            }

            @Override
            public double momentum(long step, long total, long perEpoch) {
                return inner.momentum(step, total, perEpoch);
            }
        };
    }

    /** A schedule by name that needs no parameters: "constant", "cosine" or "onecycle". */
    static LearningRateSchedule named(String name) {
        return switch (name) {
            case "constant" -> CONSTANT;
            case "cosine" -> COSINE;
            case "onecycle" -> oneCycle();
            default -> throw new IllegalArgumentException("unknown learning-rate schedule '" + name + "'; available: constant, cosine, onecycle"
                    + " (and step, multistep, exp, which take parameters)");
        };
    }
}
