package dev.fovea.tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a training step's time goes, per layer type and pass: while enabled, {@link dev.fovea.nn.Module#call} times
 * the forward pass of every leaf layer and the autograd engine times every operation's backward. Off by default,
 * and then free (one volatile read per call).
 */
public final class OpProfile {
    private OpProfile() {}

    private static volatile boolean enabled;
    private static final Map<String, long[]> TIMES = new LinkedHashMap<>();

    public static void enable(boolean on) {
        enabled = on;
    }

    public static boolean isEnabled() {
        return enabled;
    }

    public static synchronized void reset() {
        TIMES.clear();
    }

    /** Adds one timed call of {@code nanos} under {@code key} (such as "forward Conv2d" or "backward conv2d"). */
    public static synchronized void add(String key, long nanos) {
        long[] t = TIMES.computeIfAbsent(key, k -> new long[2]);
        t[0]++;
        t[1] += nanos;
    }

    /** A table of the recorded entries, most time first, with each one's share of the total. */
    public static synchronized String report() {
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(TIMES.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        long total = 0;
        for (var r : rows) total += r.getValue()[1];
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-32s %8s %10s %6s%n", "operation", "calls", "ms", "share"));
        for (var r : rows) {
            long[] t = r.getValue();
            sb.append(String.format(Locale.ROOT, "%-32s %8d %10.1f %5.1f%%%n", r.getKey(), t[0], t[1] / 1e6, 100.0 * t[1] / Math.max(1, total)));
        }
        sb.append(String.format(Locale.ROOT, "%-32s %8s %10.1f%n", "total timed", "", total / 1e6));
        return sb.toString();
    }
}
