package dev.fovea.tensor;

import java.util.ArrayDeque;
import java.util.Locale;

/**
 * Anomaly detection, Fovea's {@code torch.autograd.detect_anomaly}: while on ({@link Autograd#detectAnomaly}),
 * every recorded operation's forward output and every gradient its backward produces is checked for NaN and
 * infinity, and the first one found stops the run with an {@link AnomalyException} naming the operation, the layer
 * it ran in (its path in the model, such as {@code features.3} or {@code layer2.0.conv1}, and its type) and
 * statistics of what went in. Layers report themselves through {@link #enterLayer} and {@link #exitLayer} (see
 * {@code Module.call}). Off by default; then each operation pays one read of a static field.
 */
public final class Anomaly {
    private Anomaly() {}

    static volatile boolean enabled;

    /** Where an operation ran: the layer's path in the model ("" for the model itself) and its type. */
    public record Layer(Object owner, String path, String type) {
        String describe() {
            return path.isEmpty() ? "the model itself (" + type + ")" : "layer " + path + " (" + type + ")";
        }
    }

    private static final ThreadLocal<ArrayDeque<Layer>> LAYERS = ThreadLocal.withInitial(ArrayDeque::new);
    private static final ThreadLocal<boolean[]> CHECKING = ThreadLocal.withInitial(() -> new boolean[1]);

    public static boolean isEnabled() {
        return enabled;
    }

    /** Marks the start of a layer's forward on this thread (called by {@code Module.call} while detection is on). */
    public static void enterLayer(Object owner, String path, String type) {
        LAYERS.get().push(new Layer(owner, path, type));
    }

    /** Marks the end of the layer's forward begun by the matching {@link #enterLayer}. */
    public static void exitLayer() {
        LAYERS.get().poll();
    }

    /** The innermost layer whose forward is running on this thread, or null. */
    public static Layer currentLayer() {
        return LAYERS.get().peek();
    }

    /** Called for every recorded operation while detection is on: throws if {@code out} is not all finite. */
    static void checkForward(String op, Tensor out, Tensor[] inputs) {
        boolean[] busy = CHECKING.get();
        if (busy[0]) return; // reading a strided view records a copy; that copy is not the user's operation
        busy[0] = true;
        try {
            Stats s = Stats.of(out);
            if (s.finite()) return;
            Layer where = currentLayer();
            throw new AnomalyException("forward", op, where == null ? null : where.path(), where == null ? null : where.type(),
                    message("the forward of '" + op + "'", where, "its output", s, inputs, null));
        } finally {
            busy[0] = false;
        }
    }

    /** Called after each backward while detection is on: throws if a gradient for an input is not all finite. */
    static void checkBackward(Node node, Tensor gradOutput, Tensor[] gradInputs) {
        boolean[] busy = CHECKING.get();
        if (busy[0]) return;
        busy[0] = true;
        try {
            for (int k = 0; k < gradInputs.length; k++) {
                if (gradInputs[k] == null) continue;
                Stats s = Stats.of(gradInputs[k]);
                if (s.finite()) continue;
                Layer where = node.layer;
                String what = "the gradient for its input " + (k + 1) + " of " + gradInputs.length;
                throw new AnomalyException("backward", node.op, where == null ? null : where.path(), where == null ? null : where.type(),
                        message("the backward of '" + node.op + "'", where, what, s, node.inputs, gradOutput));
            }
        } finally {
            busy[0] = false;
        }
    }

    private static String message(String what, Layer where, String result, Stats bad, Tensor[] inputs, Tensor gradOutput) {
        StringBuilder sb = new StringBuilder(what).append(where == null ? " (outside any layer)" : " in " + where.describe())
                .append(" produced ").append(bad.badCount()).append(" non-finite values in ").append(result)
                .append(" of shape ").append(Shapes.str(bad.shape)).append(" (").append(bad.nan).append(" NaN, ").append(bad.posInf)
                .append(" +Inf, ").append(bad.negInf).append(" -Inf)");
        if (gradOutput != null) sb.append("\n  incoming gradient: ").append(Stats.of(gradOutput));
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null) sb.append("\n  input ").append(i + 1).append(": ").append(Stats.of(inputs[i]));
        }
        return sb.toString();
    }

    /** Shape, extremes and mean of the finite values, and counts of the others. */
    record Stats(int[] shape, long count, long nan, long posInf, long negInf, double min, double max, double mean) {
        static Stats of(Tensor t) {
            Tensor c = t.contiguous();
            var b = c.buf;
            long n = c.numel(), nan = 0, pos = 0, neg = 0;
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < n; i++) {
                double v = b.get(i);
                if (Double.isNaN(v)) nan++;
                else if (v == Double.POSITIVE_INFINITY) pos++;
                else if (v == Double.NEGATIVE_INFINITY) neg++;
                else {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    sum += v;
                }
            }
            long finite = n - nan - pos - neg;
            return new Stats(t.shape(), n, nan, pos, neg, min, max, finite == 0 ? Double.NaN : sum / finite);
        }

        boolean finite() {
            return nan == 0 && posInf == 0 && negInf == 0;
        }

        long badCount() {
            return nan + posInf + negInf;
        }

        @Override
        public String toString() {
            String range = count == badCount() ? "no finite values" : "min " + (float) min + ", max " + (float) max + ", mean " + (float) mean;
            return String.format(Locale.ROOT, "shape %s, %s; %d NaN, %d +Inf, %d -Inf of %d", Shapes.str(shape), range, nan, posInf, negInf, count);
        }
    }
}
