package dev.fovea.bench;

import java.util.SplittableRandom;

/**
 * A pool of random batches (standard normal pixels, uniform labels) shared by both sides of a comparison, so that
 * Fovea and PyTorch see the very same numbers. Steps cycle through the pool, so a run never trains long on one
 * batch (where values, and with them denormal arithmetic, could drift far from real training).
 */
public final class Synthetic {
    private final Workload workload;
    private final float[][] images;
    private final int[][] labels;

    public Synthetic(Workload w, int batches, long seed) {
        this.workload = w;
        SplittableRandom rng = new SplittableRandom(seed);
        int n = w.batch() * w.channels() * w.size() * w.size();
        images = new float[batches][n];
        labels = new int[batches][w.batch()];
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < n; i++) images[b][i] = (float) gaussian(rng);
            for (int i = 0; i < w.batch(); i++) labels[b][i] = rng.nextInt(Workload.CLASSES);
        }
    }

    private static double gaussian(SplittableRandom rng) {
        double u = rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    public Workload workload() {
        return workload;
    }

    public int batches() {
        return images.length;
    }

    public float[] images(int batch) {
        return images[batch % images.length];
    }

    public int[] labels(int batch) {
        return labels[batch % labels.length];
    }
}
