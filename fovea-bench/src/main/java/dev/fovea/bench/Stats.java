package dev.fovea.bench;

import java.util.Arrays;

/** Small statistics over repetitions. */
public final class Stats {
    private Stats() {}

    public static double median(double[] xs) {
        if (xs.length == 0) return Double.NaN;
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    public static double min(double[] xs) {
        return Arrays.stream(xs).min().orElse(Double.NaN);
    }

    public static double max(double[] xs) {
        return Arrays.stream(xs).max().orElse(Double.NaN);
    }

    public static double geomean(double[] xs) {
        if (xs.length == 0) return Double.NaN;
        double s = 0;
        for (double x : xs) s += Math.log(x);
        return Math.exp(s / xs.length);
    }

    /**
     * "0.42 (0.40..0.45)": {@code median(a) / median(b)}, then the smallest and largest ratio of paired
     * repetitions {@code a[i] / b[i]}.
     */
    public static String ratio(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < r.length; i++) r[i] = a[i] / b[i];
        return String.format("%.2f (%.2f..%.2f)", median(a) / median(b), min(r), max(r));
    }

    /** A rate with thousands separators and a sensible number of digits. */
    public static String rate(double v) {
        if (Double.isNaN(v)) return "-";
        if (v >= 100) return String.format("%,.0f", v);
        if (v >= 10) return String.format("%.1f", v);
        return String.format("%.2f", v);
    }
}
