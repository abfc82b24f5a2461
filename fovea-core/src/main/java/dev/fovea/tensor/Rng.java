package dev.fovea.tensor;

import java.util.SplittableRandom;

/**
 * The random number generator behind every random choice in Fovea (initialisation, dropout, shuffling,
 * augmentation). One seed fixes a whole run: {@link #manualSeed(long)} resets the global generator, and
 * {@link #split()} hands independent but reproducible streams to components that need their own.
 */
public final class Rng {
    private static Rng global = new Rng(0);

    private SplittableRandom r;
    private double spare = Double.NaN;

    public Rng(long seed) {
        this.r = new SplittableRandom(seed);
    }

    private Rng(SplittableRandom r) {
        this.r = r;
    }

    /** Like {@code torch.manual_seed}: re-seeds the global generator. */
    public static void manualSeed(long seed) {
        global = new Rng(seed);
    }

    /** Installs {@code r} as the global generator and returns the previous one. */
    public static Rng swapGlobal(Rng r) {
        Rng prev = global;
        global = r;
        return prev;
    }

    public static Rng global() {
        return global;
    }

    /** A new generator whose stream is determined by this one's state, leaving this one advanced. */
    public Rng split() {
        return new Rng(r.split());
    }

    public double nextDouble() {
        return r.nextDouble();
    }

    public int nextInt(int bound) {
        return r.nextInt(bound);
    }

    public long nextLong() {
        return r.nextLong();
    }

    /** Standard normal, by the Marsaglia polar method (deterministic, unlike java.util.Random's synchronisation). */
    public double nextGaussian() {
        if (!Double.isNaN(spare)) {
            double s = spare;
            spare = Double.NaN;
            return s;
        }
        double u, v, s;
        do {
            u = 2 * r.nextDouble() - 1;
            v = 2 * r.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * Math.log(s) / s);
        spare = v * m;
        return u * m;
    }

    /** Fisher-Yates shuffle of {@code a} in place. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
