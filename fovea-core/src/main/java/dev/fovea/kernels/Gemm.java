package dev.fovea.kernels;

/**
 * Reference matrix multiply, row-major: C = alpha * op(A) * op(B) + beta * C, with op(A) of size m x k and
 * op(B) of size k x n. {@code ta}/{@code tb} say that A/B are stored transposed. The generic loop works in either
 * precision; the float32 loop orders i-k-j so the innermost loop streams rows and the JIT can vectorise it.
 */
final class Gemm {
    private Gemm() {}

    static void gemm(boolean ta, boolean tb, int m, int n, int k, double alpha,
                     Buf a, int offA, int lda, Buf b, int offB, int ldb, double beta, Buf c, int offC, int ldc) {
        if (a instanceof Buf.F32 fa && b instanceof Buf.F32 fb && c instanceof Buf.F32 fc) {
            sgemm(ta, tb, m, n, k, (float) alpha, fa.a, offA, lda, fb.a, offB, ldb, (float) beta, fc.a, offC, ldc);
            return;
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = a.get(offA + (ta ? p * lda + i : i * lda + p));
                    double bv = b.get(offB + (tb ? j * ldb + p : p * ldb + j));
                    s += av * bv;
                }
                int ci = offC + i * ldc + j;
                c.set(ci, alpha * s + (beta == 0 ? 0 : beta * c.get(ci)));
            }
        }
    }

    private static void sgemm(boolean ta, boolean tb, int m, int n, int k, float alpha,
                              float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        for (int i = 0; i < m; i++) {
            int ci = offC + i * ldc;
            if (beta == 0) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            } else if (beta != 1) {
                for (int j = 0; j < n; j++) c[ci + j] *= beta;
            }
        }
        if (tb) {
            // Dot products would not vectorise (float sums cannot be reordered), so transpose B once, O(kn).
            float[] bt = new float[k * n];
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) bt[p * n + j] = b[offB + j * ldb + p];
            }
            b = bt;
            offB = 0;
            ldb = n;
        }
        for (int i = 0; i < m; i++) {
            int ci = offC + i * ldc;
            for (int p = 0; p < k; p++) {
                float av = alpha * (ta ? a[offA + p * lda + i] : a[offA + i * lda + p]);
                int bp = offB + p * ldb;
                for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
            }
        }
    }
}
