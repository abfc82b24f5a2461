package dev.fovea.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference GEMM: C = alpha * op(A) op(B) + beta * C, row-major, with offsets and leading dimensions.
 * The float32 fast path and the float64 generic path are both compared with a plain triple loop written here.
 */
class GemmTest {

    /** One problem: sizes, transposes, scalars, and a layout with offsets and padded leading dimensions. */
    private record Problem(boolean ta, boolean tb, int m, int n, int k, double alpha, double beta,
                           int offA, int lda, int offB, int ldb, int offC, int ldc) {
        int lenA() { return offA + (ta ? k : m) * lda; }
        int lenB() { return offB + (tb ? n : k) * ldb; }
        int lenC() { return offC + m * ldc; }
    }

    private static Problem random(SplittableRandom r, boolean ta, boolean tb, double alpha, double beta) {
        int m = 2 * r.nextInt(1, 12) + 1, n = 2 * r.nextInt(1, 12) + 1, k = 2 * r.nextInt(1, 12) + 1; // odd sizes
        int lda = (ta ? m : k) + r.nextInt(4), ldb = (tb ? k : n) + r.nextInt(4), ldc = n + r.nextInt(4);
        return new Problem(ta, tb, m, n, k, alpha, beta, r.nextInt(7), lda, r.nextInt(7), ldb, r.nextInt(7), ldc);
    }

    /** The definition, element by element, in double precision. */
    private static double[] naive(Problem p, double[] a, double[] b, double[] c) {
        double[] out = c.clone();
        for (int i = 0; i < p.m; i++) {
            for (int j = 0; j < p.n; j++) {
                double s = 0;
                for (int q = 0; q < p.k; q++) {
                    double av = p.ta ? a[p.offA + q * p.lda + i] : a[p.offA + i * p.lda + q];
                    double bv = p.tb ? b[p.offB + j * p.ldb + q] : b[p.offB + q * p.ldb + j];
                    s += av * bv;
                }
                int ci = p.offC + i * p.ldc + j;
                out[ci] = p.alpha * s + (p.beta == 0 ? 0 : p.beta * c[ci]);
            }
        }
        return out;
    }

    private static double[] randomArray(SplittableRandom r, int n) {
        double[] a = new double[n];
        // Values exactly representable in float32, so both precisions start from the same numbers.
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    private static void run(Problem p, SplittableRandom r) {
        double[] a = randomArray(r, p.lenA()), b = randomArray(r, p.lenB()), c = randomArray(r, p.lenC());
        double[] expected = naive(p, a, b, c);

        Buf.F64 c64 = new Buf.F64(c.clone());
        Kernels.reference().gemm(p.ta, p.tb, p.m, p.n, p.k, p.alpha, new Buf.F64(a.clone()), p.offA, p.lda,
                new Buf.F64(b.clone()), p.offB, p.ldb, p.beta, c64, p.offC, p.ldc);
        Buf.F32 c32 = new Buf.F32(toFloat(c));
        Kernels.reference().gemm(p.ta, p.tb, p.m, p.n, p.k, p.alpha, new Buf.F32(toFloat(a)), p.offA, p.lda,
                new Buf.F32(toFloat(b)), p.offB, p.ldb, p.beta, c32, p.offC, p.ldc);

        for (int idx = 0; idx < expected.length; idx++) {
            boolean inside = idx >= p.offC && (idx - p.offC) % p.ldc < p.n && (idx - p.offC) / p.ldc < p.m;
            String where = p + " at C[" + idx + "]" + (inside ? "" : " (outside the m x n block: must stay untouched)");
            assertEquals(expected[idx], c64.a[idx], 1e-12, "float64 " + where);
            assertEquals(expected[idx], c32.a[idx], 1e-5 * (1 + p.k), "float32 " + where);
            if (!inside) {
                assertEquals(c[idx], c64.a[idx], 0.0, where);
                assertEquals((float) c[idx], c32.a[idx], 0.0f, where);
            }
        }
    }

    @ParameterizedTest(name = "transA={0} transB={1} alpha={2} beta={3}")
    @CsvSource({
            "false, false, 1, 0", "false, true, 1, 0", "true, false, 1, 0", "true, true, 1, 0",
            "false, false, 0.75, 1", "false, true, -1.5, 1", "true, false, 2, -0.5", "true, true, 0.5, 0.25",
            "false, true, 1, 1", "true, true, -1, 0"})
    void allTransposeCombinationsWithOffsetsAndLeadingDimensions(boolean ta, boolean tb, double alpha, double beta) {
        SplittableRandom r = new SplittableRandom(1000 + (ta ? 1 : 0) + (tb ? 2 : 0) + (int) (alpha * 8) + (int) (beta * 16));
        for (int trial = 0; trial < 12; trial++) run(random(r, ta, tb, alpha, beta), r);
    }

    @Test
    void betaZeroIgnoresWhateverCHeld() {
        // BLAS convention: with beta = 0, C is output only, so NaN or infinity in it must not leak through.
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                float[] c32 = {Float.NaN, Float.POSITIVE_INFINITY, Float.NaN, Float.NaN};
                double[] c64 = {Double.NaN, Double.NEGATIVE_INFINITY, Double.NaN, Double.NaN};
                float[] a = {1, 2, 3, 4};
                float[] b = {5, 6, 7, 8};
                Kernels.reference().gemm(ta, tb, 2, 2, 2, 1, new Buf.F32(a), 0, 2, new Buf.F32(b), 0, 2, 0, new Buf.F32(c32), 0, 2);
                Kernels.reference().gemm(ta, tb, 2, 2, 2, 1, new Buf.F64(new double[] {1, 2, 3, 4}), 0, 2,
                        new Buf.F64(new double[] {5, 6, 7, 8}), 0, 2, 0, new Buf.F64(c64), 0, 2);
                for (int i = 0; i < 4; i++) {
                    assertTrue(Float.isFinite(c32[i]), "float32 ta=" + ta + " tb=" + tb);
                    assertEquals(c32[i], c64[i], 0.0, "ta=" + ta + " tb=" + tb);
                }
            }
        }
        // Spot check of one product: [[1,2],[3,4]] [[5,6],[7,8]] = [[19,22],[43,50]].
        double[] c = new double[4];
        Kernels.reference().gemm(false, false, 2, 2, 2, 1, new Buf.F64(new double[] {1, 2, 3, 4}), 0, 2,
                new Buf.F64(new double[] {5, 6, 7, 8}), 0, 2, 0, new Buf.F64(c), 0, 2);
        assertEquals(19, c[0]);
        assertEquals(22, c[1]);
        assertEquals(43, c[2]);
        assertEquals(50, c[3]);
    }

    @Test
    void mixedPrecisionBuffersTakeTheGenericPath() {
        SplittableRandom r = new SplittableRandom(7);
        Problem p = random(r, true, false, 1.25, 0.5);
        double[] a = randomArray(r, p.lenA()), b = randomArray(r, p.lenB()), c = randomArray(r, p.lenC());
        double[] expected = naive(p, a, b, c);
        Buf.F64 out = new Buf.F64(c.clone());
        Kernels.reference().gemm(p.ta, p.tb, p.m, p.n, p.k, p.alpha, new Buf.F32(toFloat(a)), p.offA, p.lda,
                new Buf.F64(b), p.offB, p.ldb, p.beta, out, p.offC, p.ldc);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], out.a[i], 1e-12);
    }

    @Test
    void emptyInnerDimensionGivesBetaTimesC() {
        double[] c = {1, 2, 3, 4, 5, 6};
        Kernels.reference().gemm(false, false, 2, 3, 0, 1, new Buf.F64(new double[0]), 0, 0, new Buf.F64(new double[0]), 0, 3,
                2, new Buf.F64(c), 0, 3);
        assertEquals(12, c[5]);
        float[] f = {1, 2, 3, 4, 5, 6};
        Kernels.reference().gemm(false, false, 2, 3, 0, 1, new Buf.F32(new float[0]), 0, 0, new Buf.F32(new float[0]), 0, 3,
                2, new Buf.F32(f), 0, 3);
        assertEquals(12f, f[5]);
    }
}
