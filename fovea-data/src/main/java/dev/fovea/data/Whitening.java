package dev.fovea.data;

/**
 * PCA and ZCA whitening fitted on a sample of the training set: with {@code mu} the mean sample and
 * {@code Sigma = U diag(lambda) U^T} the covariance of the flattened samples,
 * PCA whitening maps {@code x} to {@code diag(1 / sqrt(lambda + eps)) U^T (x - mu)} (decorrelated components in
 * order of decreasing variance, laid back into the sample's shape) and ZCA whitening to
 * {@code U diag(1 / sqrt(lambda + eps)) U^T (x - mu)}, the whitened image closest to the original (Bell and
 * Sejnowski; used on CIFAR-10 by Krizhevsky 2009 and Goodfellow et al. 2013).
 *
 * <p><b>Choice.</b> The full covariance of the flattened sample is decomposed (dense, symmetric, cyclic Jacobi;
 * see {@link SymmetricEigen}), not a per-patch or per-channel approximation: exact, and the whitening matrix is
 * {@code d x d} floats. That is fine up to about 3072 dimensions (3x32x32: 36 MB, and a fit of a few minutes;
 * 784 dimensions take seconds). Larger samples are refused; resize or crop first. Fit on at least as many samples
 * as dimensions, or the small eigenvalues are noise that {@code eps} (such as 0.1 for [0, 1] pixels, 1e-2 to 1e-5
 * for normalised ones) has to tame. Applying costs {@code d^2} multiply-adds per sample.
 */
public final class Whitening {
    /** The largest sample size, in values, that can be fitted. */
    public static final int MAX_DIMENSIONS = 4096;

    private final float[] mean;
    private final float[] matrix;
    private final int d;
    private final boolean zca;

    private Whitening(float[] mean, float[] matrix, int d, boolean zca) {
        this.mean = mean;
        this.matrix = matrix;
        this.d = d;
        this.zca = zca;
    }

    /** ZCA whitening fitted on the first {@code n} samples of {@code data} (all, if fewer). */
    public static Whitening fitZca(Dataset data, int n, double eps) {
        return fit(data, n, eps, true);
    }

    /** PCA whitening fitted on the first {@code n} samples of {@code data} (all, if fewer). */
    public static Whitening fitPca(Dataset data, int n, double eps) {
        return fit(data, n, eps, false);
    }

    private static Whitening fit(Dataset data, int n, double eps, boolean zca) {
        int d = data.sampleSize(), m = Math.min(n, data.size());
        if (d > MAX_DIMENSIONS) {
            throw new IllegalArgumentException(data.name() + ": samples of " + d + " values; whitening is limited to "
                    + MAX_DIMENSIONS + " (resize or crop first)");
        }
        if (m < 2) throw new IllegalArgumentException("need at least 2 samples to fit whitening");
        if (!(eps >= 0)) throw new IllegalArgumentException("eps must be non-negative");
        double[] mu = new double[d];
        float[][] xs = new float[m][d];
        for (int i = 0; i < m; i++) {
            data.sample(i, xs[i], 0);
            for (int k = 0; k < d; k++) mu[k] += xs[i][k];
        }
        for (int k = 0; k < d; k++) mu[k] /= m;
        double[][] cov = new double[d][d];
        double[] c = new double[d];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < d; k++) c[k] = xs[i][k] - mu[k];
            for (int a = 0; a < d; a++) {
                double ca = c[a];
                double[] row = cov[a];
                for (int b = a; b < d; b++) row[b] += ca * c[b];
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) cov[b][a] = cov[a][b] = cov[a][b] / (m - 1);
        }
        SymmetricEigen e = SymmetricEigen.of(cov);
        double[] scale = new double[d];
        for (int i = 0; i < d; i++) scale[i] = 1 / Math.sqrt(Math.max(0, e.values[i]) + eps);
        float[] w = new float[d * d];
        if (zca) {
            // W = U diag(scale) U^T; vectors[i] is column i of U.
            for (int a = 0; a < d; a++) {
                for (int b = a; b < d; b++) {
                    double s = 0;
                    for (int i = 0; i < d; i++) s += e.vectors[i][a] * scale[i] * e.vectors[i][b];
                    w[a * d + b] = w[b * d + a] = (float) s;
                }
            }
        } else {
            for (int i = 0; i < d; i++) for (int b = 0; b < d; b++) w[i * d + b] = (float) (scale[i] * e.vectors[i][b]);
        }
        float[] meanF = new float[d];
        for (int k = 0; k < d; k++) meanF[k] = (float) mu[k];
        return new Whitening(meanF, w, d, zca);
    }

    /** Whether this is ZCA (else PCA) whitening. */
    public boolean isZca() {
        return zca;
    }

    /** Whitens one flattened sample into a new array. */
    public float[] apply(float[] x) {
        if (x.length != d) throw new IllegalArgumentException("fitted on samples of " + d + " values, got " + x.length);
        double[] c = new double[d];
        for (int k = 0; k < d; k++) c[k] = x[k] - mean[k];
        float[] out = new float[d];
        for (int a = 0; a < d; a++) {
            double s = 0;
            int row = a * d;
            for (int b = 0; b < d; b++) s += matrix[row + b] * c[b];
            out[a] = (float) s;
        }
        return out;
    }

    /** As a {@link Transform} (deterministic; the generator is not used). */
    public Transform transform() {
        return Transforms.named(zca ? "zcaWhitening" : "pcaWhitening", (x, s, rng) -> apply(x));
    }
}
