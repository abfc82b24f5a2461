package dev.fovea.data;

import dev.fovea.tensor.Rng;

/**
 * AlexNet's colour augmentation ("PCA colour", Krizhevsky et al. 2012, section 4.1): the eigenvectors
 * {@code e_i} and eigenvalues {@code lambda_i} of the 3x3 covariance of RGB values over the training pixels; each
 * image then gets {@code sum_i alpha_i lambda_i e_i} added to every pixel, with a fresh {@code alpha_i ~ N(0, sigma)}
 * per image ({@code sigma = 0.1} in the paper). The whole image moves by one RGB vector, so its structure is kept
 * and only its overall colour and intensity shift, along the directions the data varies in.
 *
 * <p>Fitted on the values the dataset yields (normalised pixels for Fovea's datasets), so the shift is on the same
 * scale as the samples.
 */
public final class ColorPca {
    private final double[] values;
    private final double[][] vectors;

    private ColorPca(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    /** Fits on every pixel of the first {@code n} samples (all, if fewer) of a 3-channel dataset. */
    public static ColorPca fit(Dataset data, int n) {
        int[] s = data.sampleShape();
        if (s[0] != 3) throw new IllegalArgumentException("PCA colour augmentation needs 3-channel (RGB) images; " + data.name() + " has " + s[0]);
        int m = Math.min(n, data.size()), plane = s[1] * s[2];
        if (m < 1) throw new IllegalArgumentException("need at least one sample");
        double[] sum = new double[3];
        double[][] prod = new double[3][3];
        float[] x = new float[data.sampleSize()];
        for (int i = 0; i < m; i++) {
            data.sample(i, x, 0);
            for (int k = 0; k < plane; k++) {
                for (int a = 0; a < 3; a++) {
                    double va = x[a * plane + k];
                    sum[a] += va;
                    for (int b = a; b < 3; b++) prod[a][b] += va * x[b * plane + k];
                }
            }
        }
        double count = (double) m * plane;
        double[][] cov = new double[3][3];
        for (int a = 0; a < 3; a++) {
            for (int b = a; b < 3; b++) {
                cov[a][b] = cov[b][a] = prod[a][b] / count - (sum[a] / count) * (sum[b] / count);
            }
        }
        return of(cov);
    }

    /** From a given 3x3 RGB covariance matrix. */
    public static ColorPca of(double[][] covariance) {
        if (covariance.length != 3) throw new IllegalArgumentException("need a 3x3 covariance");
        SymmetricEigen e = SymmetricEigen.of(covariance);
        double[] values = e.values.clone();
        for (int i = 0; i < 3; i++) values[i] = Math.max(0, values[i]);
        return new ColorPca(values, new double[][] {e.vectors[0].clone(), e.vectors[1].clone(), e.vectors[2].clone()});
    }

    /** The eigenvalues, descending. A copy. */
    public double[] eigenvalues() {
        return values.clone();
    }

    /** Row i is the unit eigenvector of eigenvalue i. A copy. */
    public double[][] eigenvectors() {
        return new double[][] {vectors[0].clone(), vectors[1].clone(), vectors[2].clone()};
    }

    /**
     * The RGB shift {@code sum_i alpha_i lambda_i e_i} for the three draws {@code alpha_i = sigma * N(0, 1)} taken
     * from {@code rng} in order, as {@link #transform(double)} uses it.
     */
    public double[] shift(double sigma, Rng rng) {
        double[] d = new double[3];
        for (int i = 0; i < 3; i++) {
            double a = sigma * rng.nextGaussian() * values[i];
            for (int c = 0; c < 3; c++) d[c] += a * vectors[i][c];
        }
        return d;
    }

    /** The augmentation: adds {@link #shift(double, Rng)} to every pixel. */
    public Transform transform(double sigma) {
        if (!(sigma >= 0)) throw new IllegalArgumentException("sigma must be non-negative, got " + sigma);
        return Transforms.named("pcaColour(" + sigma + ")", (x, s, rng) -> {
            if (s[0] != 3) throw new IllegalArgumentException("PCA colour augmentation needs 3 channels, got " + s[0]);
            double[] d = shift(sigma, rng);
            int plane = s[1] * s[2];
            for (int c = 0; c < 3; c++) for (int k = 0; k < plane; k++) x[c * plane + k] += (float) d[c];
            return x;
        });
    }
}
