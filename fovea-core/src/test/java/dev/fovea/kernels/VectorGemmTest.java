package dev.fovea.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Vector API SGEMM against a double-precision triple loop, on shapes that cross every blocking boundary
 * (MR/NR edges, the KC, MC and NC blocks), in all transpose variants, with offsets, padded leading dimensions,
 * alpha and beta; elements of C outside the block must stay untouched.
 */
class VectorGemmTest {

    private static void check(SplittableRandom r, boolean ta, boolean tb, int m, int n, int k, float alpha, float beta) {
        int lda = (ta ? m : k) + r.nextInt(3), ldb = (tb ? k : n) + r.nextInt(3), ldc = n + r.nextInt(3);
        int offA = r.nextInt(5), offB = r.nextInt(5), offC = r.nextInt(5);
        float[] a = new float[offA + (ta ? k : m) * lda], b = new float[offB + (tb ? n : k) * ldb], c = new float[offC + m * ldc];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < c.length; i++) c[i] = (float) (r.nextDouble() * 2 - 1);
        float[] before = c.clone();
        Kernels.vector().gemm(ta, tb, m, n, k, alpha, new Buf.F32(a), offA, lda, new Buf.F32(b), offB, ldb, beta, new Buf.F32(c), offC, ldc);
        for (int idx = 0; idx < c.length; idx++) {
            int i = (idx - offC) / ldc, j = (idx - offC) % ldc;
            String where = "m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + " at C[" + idx + "]";
            if (idx < offC || j >= n || i >= m) {
                assertEquals(before[idx], c[idx], 0f, "outside the block, " + where);
                continue;
            }
            double s = 0;
            for (int p = 0; p < k; p++) {
                s += (double) (ta ? a[offA + p * lda + i] : a[offA + i * lda + p]) * (tb ? b[offB + j * ldb + p] : b[offB + p * ldb + j]);
            }
            double expected = alpha * s + (beta == 0 ? 0 : beta * (double) before[idx]);
            assertEquals(expected, c[idx], 2e-6 * (1 + Math.sqrt(k)) * (1 + Math.abs(alpha)), where);
        }
    }

    @Test
    void randomOddShapesAllTransposes() {
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 60; trial++) {
            int m = 1 + r.nextInt(40), n = 1 + r.nextInt(120), k = 1 + r.nextInt(60);
            check(r, r.nextBoolean(), r.nextBoolean(), m, n, k, trial % 3 == 0 ? 1f : (float) (r.nextDouble() * 4 - 2),
                    trial % 4 == 0 ? 0f : (float) (r.nextDouble() * 2 - 1));
        }
    }

    @Test
    void shapesCrossingTheCacheBlocks() {
        SplittableRandom r = new SplittableRandom(11);
        int[][] shapes = {
                {VectorGemm.MC + 3, VectorGemm.NR + 5, VectorGemm.KC + 7},
                {2 * VectorGemm.MC + 1, 17, 2 * VectorGemm.KC + 1},
                {3, VectorGemm.NC + 50, 5},
                {VectorGemm.MR, VectorGemm.NR, VectorGemm.KC},
                {6, 784, 25}, {16, 100, 150}, {1, 1, 1},
                // the dot-product path (A x B^T, up to 64 rows, long k), across its k slices and with ragged edges
                {6, 25, VectorGemm.DOTS_KC + 13}, {33, 7, 2 * VectorGemm.DOTS_KC + 5}, {64, 130, 517}, {13, 5, 16 * 4 + 3},
                // one to three rows (a fully connected layer at batch 1 to 3), and up to 32 rows with k >= 256
                {1, 120, 400}, {1, 1, 17}, {2, 130, 5}, {3, 7, 301}, {20, 33, 260}, {32, 9, 256}};
        for (int[] s : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) check(r, ta, tb, s[0], s[1], s[2], 1f, ta ? 1f : 0f);
            }
        }
    }

    @Test
    void betaZeroOverwritesNaNs() {
        float[] c = {Float.NaN, Float.POSITIVE_INFINITY, Float.NaN, 1};
        Kernels.vector().gemm(false, false, 2, 2, 1, 1, new Buf.F32(new float[] {1, 2}), 0, 1, new Buf.F32(new float[] {3, 4}), 0, 2, 0,
                new Buf.F32(c), 0, 2);
        assertEquals(3f, c[0]);
        assertEquals(4f, c[1]);
        assertEquals(6f, c[2]);
        assertEquals(8f, c[3]);
    }

    @Test
    void float64FallsBackToTheReference() {
        double[] c = new double[4];
        Kernels.vector().gemm(false, false, 2, 2, 1, 1, new Buf.F64(new double[] {1, 2}), 0, 1, new Buf.F64(new double[] {3, 4}), 0, 2, 0,
                new Buf.F64(c), 0, 2);
        assertEquals(8.0, c[3]);
    }
}
