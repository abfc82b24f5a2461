package dev.fovea.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Arrays of numbers as the page receives them: JSON lists, rounded, non-finite values as null. */
final class Numbers {
    private Numbers() {}

    /** Four significant digits: enough for a heat map or a tooltip, and a third of the text. */
    static Object round(double v) {
        if (!Double.isFinite(v)) return null;
        if (v == 0) return 0.0;
        double scale = Math.pow(10, 3 - (int) Math.floor(Math.log10(Math.abs(v))));
        double r = Math.round(v * scale) / scale;
        return Double.isFinite(r) ? r : v;
    }

    static List<Object> list(float[] a, int from, int to) {
        List<Object> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) out.add(round(a[i]));
        return out;
    }

    static List<Object> list(float[] a) {
        return list(a, 0, a.length);
    }

    static List<Object> list(double[] a) {
        List<Object> out = new ArrayList<>(a.length);
        for (double v : a) out.add(round(v));
        return out;
    }

    /** Smallest and largest finite values of {@code a[from..to)} as {min, max}; {NaN, NaN} when there are none. */
    static double[] range(float[] a, int from, int to) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            if (!Float.isFinite(a[i])) continue;
            lo = Math.min(lo, a[i]);
            hi = Math.max(hi, a[i]);
        }
        return lo > hi ? new double[] {Double.NaN, Double.NaN} : new double[] {lo, hi};
    }

    /** A histogram of the finite values in {@code bins} equal bins between their min and max. */
    static Map<String, Object> histogram(float[] a, int bins) {
        double[] r = range(a, 0, a.length);
        long[] counts = new long[bins];
        double lo = r[0], hi = r[1];
        if (!Double.isNaN(lo)) {
            double width = hi > lo ? (hi - lo) / bins : 1;
            for (float v : a) {
                if (!Float.isFinite(v)) continue;
                int b = (int) ((v - lo) / width);
                counts[Math.min(bins - 1, Math.max(0, b))]++;
            }
        }
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("min", round(lo));
        h.put("max", round(hi));
        List<Object> c = new ArrayList<>();
        for (long n : counts) c.add(n);
        h.put("counts", c);
        return h;
    }

    /**
     * One h x w plane of {@code a} (starting at {@code offset}) as rows, keeping every {@code step}-th row and
     * column when it is larger than {@code maxSide} on a side, so big feature maps stay small on the wire.
     */
    static Map<String, Object> plane(float[] a, int offset, int h, int w, int maxSide) {
        int step = Math.max(1, (Math.max(h, w) + maxSide - 1) / maxSide);
        int oh = (h + step - 1) / step, ow = (w + step - 1) / step;
        float[] out = new float[oh * ow];
        for (int y = 0; y < oh; y++) for (int x = 0; x < ow; x++) out[y * ow + x] = a[offset + y * step * w + x * step];
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("h", oh);
        m.put("w", ow);
        if (step > 1) m.put("step", step);
        m.put("data", list(out));
        return m;
    }
}
