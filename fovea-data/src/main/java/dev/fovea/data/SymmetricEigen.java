package dev.fovea.data;

/**
 * Eigenvalues and eigenvectors of a real symmetric matrix by the cyclic Jacobi method: rotations that zero one
 * off-diagonal element at a time, swept until the off-diagonal part is negligible. Simple and accurate (it finds
 * small eigenvalues to high relative accuracy), at about {@code 8 n^3} flops per sweep and usually 6 to 10 sweeps:
 * instant for RGB's 3x3, seconds for 784 dimensions (28x28), a few minutes for 3072 (3x32x32).
 */
final class SymmetricEigen {
    /** Eigenvalues, descending. */
    final double[] values;
    /** vectors[i] is the unit eigenvector of values[i]. */
    final double[][] vectors;

    private SymmetricEigen(double[] values, double[][] vectors) {
        this.values = values;
        this.vectors = vectors;
    }

    /** Decomposes {@code m}, which must be symmetric (only its values are read; it is not changed). */
    static SymmetricEigen of(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            if (m[i].length != n) throw new IllegalArgumentException("not a square matrix");
            a[i] = m[i].clone();
        }
        // vt[i] is row i of V^T, i.e. column i of V: the i-th eigenvector, kept as rows for cache-friendly updates.
        double[][] vt = new double[n][n];
        for (int i = 0; i < n; i++) vt[i][i] = 1;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0, diag = 0;
            for (int p = 0; p < n; p++) {
                diag += a[p][p] * a[p][p];
                for (int q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
            }
            if (off <= 1e-30 * diag || off == 0) break;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p][q];
                    if (Math.abs(apq) < 1e-300) continue;
                    double theta = (a[q][q] - a[p][p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    // A <- J^T A J, with J the identity but for c at (p,p), (q,q), s at (p,q), -s at (q,p).
                    double[] rp = a[p], rq = a[q];
                    for (int k = 0; k < n; k++) {
                        double x = rp[k], y = rq[k];
                        rp[k] = c * x - s * y;
                        rq[k] = s * x + c * y;
                    }
                    for (int k = 0; k < n; k++) {
                        double[] rk = a[k];
                        double x = rk[p], y = rk[q];
                        rk[p] = c * x - s * y;
                        rk[q] = s * x + c * y;
                    }
                    double[] vp = vt[p], vq = vt[q];
                    for (int k = 0; k < n; k++) {
                        double x = vp[k], y = vq[k];
                        vp[k] = c * x - s * y;
                        vq[k] = s * x + c * y;
                    }
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (i, j) -> Double.compare(a[j][j], a[i][i]));
        double[] values = new double[n];
        double[][] vectors = new double[n][];
        for (int i = 0; i < n; i++) {
            values[i] = a[order[i]][order[i]];
            vectors[i] = vt[order[i]];
        }
        return new SymmetricEigen(values, vectors);
    }
}
