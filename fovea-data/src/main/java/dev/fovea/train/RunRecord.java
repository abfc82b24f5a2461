package dev.fovea.train;

import java.util.Map;

/**
 * Reading and checking the training record a checkpoint carries (epochs, losses, the run's settings), shared by
 * the single-machine {@link Trainer} and the Spark trainer so both refuse a mismatched resume the same way.
 */
public final class RunRecord {
    private RunRecord() {}

    /** JSON has no NaN or infinity: such numbers are stored as null. */
    public static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** The number stored under {@code key}, or NaN when it is null or missing. */
    public static double orNaN(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** The number stored under {@code key}; a missing one makes the checkpoint unusable. */
    public static long number(Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof Number n)) throw new IllegalArgumentException("the checkpoint's training record lacks \"" + key + "\"");
        return n.longValue();
    }

    /** Refuses to resume when a setting that fixes the run (seed, batch size, data size...) differs. */
    public static void checkSame(Map<String, Object> t, String key, long value, String what) {
        long recorded = number(t, key);
        if (recorded != value) {
            throw new IllegalArgumentException("the checkpoint was made with " + what + " " + recorded + ", this run has " + value
                    + "; a resumed run must be the same run");
        }
    }
}
