package dev.fovea.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What partitions send back in one round, summed by {@code treeAggregate}: every field is a sum over examples (or,
 * for the compute time, a maximum over partitions), so two contributions merge by adding.
 *
 * <p>A new contribution holds no arrays at all (they are made on the first example), so the zero value Spark ships
 * to every task, and the result of a partition without examples in the round, cost a few bytes, not a dense
 * zero-filled copy of the model.
 */
final class Contribution implements Serializable {
    /** Synchronous rounds: the sum over examples of each example's loss gradient, parameters back to back. */
    float[] gradients;
    /** Per parameter tensor: whether any example produced a gradient for it (frozen or unused ones have none). */
    boolean[] hasGradient;
    /** Buffers (batch-norm running statistics) after the partition's forward passes, times its example count. */
    float[] buffers;
    /** Local SGD: the partition's parameters after its local steps, times its example count. */
    float[] parameters;
    /** Local SGD: the partition's optimizer state after its local steps, tensor by tensor, times its example count. */
    LinkedHashMap<String, float[]> optimizerState;
    /** Local SGD: the partition's optimizer step count per parameter (the largest across partitions). */
    long[] steps;
    /** The optimizer state's info and tensor shapes (the same on every partition). */
    OptimizerSnapshot optimizerTemplate;

    double lossSum;
    long correct;
    long count;
    /** The slowest partition's compute seconds. */
    double computeSeconds;

    Contribution merge(Contribution o) {
        if (o == null || o.count == 0 && o.gradients == null && o.parameters == null) {
            if (o != null) computeSeconds = Math.max(computeSeconds, o.computeSeconds);
            return this;
        }
        gradients = Flat.add(gradients, o.gradients);
        if (hasGradient == null) hasGradient = o.hasGradient;
        else if (o.hasGradient != null) for (int i = 0; i < hasGradient.length; i++) hasGradient[i] |= o.hasGradient[i];
        buffers = Flat.add(buffers, o.buffers);
        parameters = Flat.add(parameters, o.parameters);
        if (optimizerState == null) {
            optimizerState = o.optimizerState;
        } else if (o.optimizerState != null) {
            for (Map.Entry<String, float[]> e : o.optimizerState.entrySet()) optimizerState.merge(e.getKey(), e.getValue(), Flat::add);
        }
        if (steps == null) steps = o.steps;
        else if (o.steps != null) for (int i = 0; i < steps.length; i++) steps[i] = Math.max(steps[i], o.steps[i]);
        if (optimizerTemplate == null) optimizerTemplate = o.optimizerTemplate;
        lossSum += o.lossSum;
        correct += o.correct;
        count += o.count;
        computeSeconds = Math.max(computeSeconds, o.computeSeconds);
        return this;
    }

    /** The step counts as the optimizer's state info lists them. */
    static long[] steps(Map<String, Object> info) {
        if (!(info.get("steps") instanceof List<?> l)) return new long[0];
        long[] s = new long[l.size()];
        for (int i = 0; i < s.length; i++) s[i] = ((Number) l.get(i)).longValue();
        return s;
    }
}
