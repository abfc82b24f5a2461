package dev.fovea.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Every float32 fast path against the reference kernel on random geometries (odd sizes, stride, padding,
 * dilation, offsets, column matrices wider than one image): data movement must agree exactly.
 */
class KernelAgreementTest {

    private static ConvShape randomConv(SplittableRandom r) {
        while (true) {
            int kh = 1 + r.nextInt(4), kw = 1 + r.nextInt(4);
            ConvShape s = new ConvShape(1 + r.nextInt(3), 1 + r.nextInt(9), 1 + r.nextInt(9), kh, kw, 1 + r.nextInt(3), 1 + r.nextInt(3),
                    r.nextInt(3), r.nextInt(3), 1 + r.nextInt(2), 1 + r.nextInt(2));
            if (s.outH() >= 1 && s.outW() >= 1) return s;
        }
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    @Test
    void im2colAndCol2imAgreeWithTheReference() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 400; trial++) {
            ConvShape s = randomConv(r);
            int xOff = r.nextInt(4), colOff = r.nextInt(4), ld = s.colCols() + r.nextInt(5);
            float[] x = random(r, xOff + s.c() * s.h() * s.w());
            float[] fast = random(r, colOff + s.colRows() * ld), ref = fast.clone();
            Kernels.vector().im2col(new Buf.F32(x), xOff, s, new Buf.F32(fast), colOff, ld);
            Kernels.reference().im2col(new Buf.F32(x), xOff, s, new Buf.F32(ref), colOff, ld);
            assertArrayEquals(ref, fast, "im2col " + s + " ld=" + ld);

            float[] col = random(r, colOff + s.colRows() * ld);
            float[] gFast = random(r, xOff + s.c() * s.h() * s.w()), gRef = gFast.clone();
            Kernels.vector().col2im(new Buf.F32(col), colOff, s, new Buf.F32(gFast), xOff, ld);
            Kernels.reference().col2im(new Buf.F32(col), colOff, s, new Buf.F32(gRef), xOff, ld);
            for (int i = 0; i < gRef.length; i++) {
                if (Math.abs(gRef[i] - gFast[i]) > 1e-5f) throw new AssertionError("col2im " + s + " at " + i + ": " + gRef[i] + " vs " + gFast[i]);
            }
        }
    }

    @Test
    void im2colOfSamePaddedStrideOneShapesAgreesWithTheReference() {
        // The one-copy-per-tap path: output as wide as the input, including planes smaller than the kernel.
        SplittableRandom r = new SplittableRandom(4);
        int seen = 0;
        for (int trial = 0; trial < 300; trial++) {
            int kh = 1 + r.nextInt(5), kw = 1 + 2 * r.nextInt(3), dh = 1 + r.nextInt(2), dw = 1 + r.nextInt(2);
            ConvShape s = new ConvShape(1 + r.nextInt(3), 1 + r.nextInt(9), 1 + r.nextInt(9), kh, kw, 1, 1,
                    r.nextInt(kh + 1), dw * (kw - 1) / 2, dh, dw);
            if (s.outH() < 1 || s.outW() != s.w()) continue;
            seen++;
            int xOff = r.nextInt(4), colOff = r.nextInt(4), ld = s.colCols() + r.nextInt(5);
            float[] x = random(r, xOff + s.c() * s.h() * s.w());
            float[] fast = random(r, colOff + s.colRows() * ld), ref = fast.clone();
            Kernels.vector().im2col(new Buf.F32(x), xOff, s, new Buf.F32(fast), colOff, ld);
            Kernels.reference().im2col(new Buf.F32(x), xOff, s, new Buf.F32(ref), colOff, ld);
            assertArrayEquals(ref, fast, "im2col " + s + " ld=" + ld);
        }
        if (seen < 100) throw new AssertionError("only " + seen + " same-width shapes generated");
    }

    @Test
    void maxPoolingAgreesWithTheReferenceIncludingTiesAndNaN() {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 400; trial++) {
            int k = 1 + r.nextInt(4);
            PoolShape s = new PoolShape(1 + r.nextInt(3), k + r.nextInt(8), k + r.nextInt(8), k, k, 1 + r.nextInt(3), 1 + r.nextInt(3),
                    r.nextInt(k / 2 + 1), r.nextInt(k / 2 + 1), r.nextBoolean());
            if (s.outH() < 1 || s.outW() < 1) continue;
            float[] x = new float[s.c() * s.h() * s.w()];
            for (int i = 0; i < x.length; i++) x[i] = r.nextInt(5) - 2; // many ties
            if (trial % 7 == 0) x[r.nextInt(x.length)] = Float.NaN;
            int count = s.c() * s.outH() * s.outW();
            float[] yf = new float[count], yr = new float[count];
            int[] af = new int[count], ar = new int[count];
            Kernels.vector().maxPool(new Buf.F32(x), 0, s, new Buf.F32(yf), 0, af, 0);
            Kernels.reference().maxPool(new Buf.F32(x), 0, s, new Buf.F32(yr), 0, ar, 0);
            assertArrayEquals(ar, af, "arg-max " + s + " on " + Arrays.toString(x));
            assertArrayEquals(yr, yf, "max " + s);
            float[] gy = random(r, count), gxf = new float[x.length], gxr = new float[x.length];
            Kernels.vector().maxPoolBackward(new Buf.F32(gy), 0, af, 0, count, new Buf.F32(gxf), 0);
            Kernels.reference().maxPoolBackward(new Buf.F32(gy), 0, ar, 0, count, new Buf.F32(gxr), 0);
            assertArrayEquals(gxr, gxf, "max backward " + s);
        }
    }

    @Test
    void gemmSplitOverThreadsAgreesWithOneThreadAndTheReference() {
        SplittableRandom r = new SplittableRandom(8);
        for (int trial = 0; trial < 12; trial++) {
            boolean ta = r.nextBoolean(), tb = r.nextBoolean();
            // Large enough to be split over the cores (at least 2^20 multiply-adds), n not a multiple of the panel.
            int m = 20 + r.nextInt(90), n = 100 + r.nextInt(400), k = 1 + r.nextInt(300);
            if ((long) m * n * k < VectorKernels.PARALLEL_MIN_MULTIPLY_ADDS) k = (int) (VectorKernels.PARALLEL_MIN_MULTIPLY_ADDS / ((long) m * n)) + 1;
            int lda = (ta ? m : k) + r.nextInt(3), ldb = (tb ? k : n) + r.nextInt(3), ldc = n + r.nextInt(3);
            float[] a = random(r, (ta ? k : m) * lda), b = random(r, (tb ? n : k) * ldb), c0 = random(r, m * ldc);
            float[] many = c0.clone(), one = c0.clone(), ref = c0.clone();
            int mm = m, nn = n, kk = k;
            Kernels.vector().gemm(ta, tb, m, n, k, 0.5, new Buf.F32(a), 0, lda, new Buf.F32(b), 0, ldb, 0.25, new Buf.F32(many), 0, ldc);
            Parallel.serial(() -> Kernels.vector().gemm(ta, tb, mm, nn, kk, 0.5, new Buf.F32(a), 0, lda, new Buf.F32(b), 0, ldb, 0.25, new Buf.F32(one), 0, ldc));
            Kernels.reference().gemm(ta, tb, m, n, k, 0.5, new Buf.F32(a), 0, lda, new Buf.F32(b), 0, ldb, 0.25, new Buf.F32(ref), 0, ldc);
            for (int i = 0; i < ref.length; i++) {
                float tol = 1e-4f * (1 + Math.abs(ref[i])) * (float) Math.sqrt(k);
                if (Math.abs(ref[i] - many[i]) > tol || Math.abs(ref[i] - one[i]) > tol) {
                    throw new AssertionError("gemm ta=" + ta + " tb=" + tb + " " + m + "x" + n + "x" + k + " at " + i + ": reference " + ref[i] + ", split " + many[i] + ", one thread " + one[i]);
                }
            }
        }
    }

    @Test
    void twoByTwoStrideTwoMaxPoolingAgreesWithTheReference() {
        // The vector path: rows of 1 to over 2 vector widths of windows, ties (small integers) and NaN.
        SplittableRandom r = new SplittableRandom(6);
        for (int trial = 0; trial < 200; trial++) {
            PoolShape s = new PoolShape(1 + r.nextInt(3), 2 * (1 + r.nextInt(6)), 2 * (1 + r.nextInt(40)), 2, 2, 2, 2, 0, 0, false);
            float[] x = new float[s.c() * s.h() * s.w()];
            for (int i = 0; i < x.length; i++) x[i] = r.nextInt(4);
            for (int q = trial % 3; q > 0; q--) x[r.nextInt(x.length)] = Float.NaN;
            int count = s.c() * s.outH() * s.outW(), off = r.nextInt(3);
            float[] yf = new float[off + count], yr = new float[off + count];
            int[] af = new int[off + count], ar = new int[off + count];
            float[] xo = new float[off + x.length];
            System.arraycopy(x, 0, xo, off, x.length);
            Kernels.vector().maxPool(new Buf.F32(xo), off, s, new Buf.F32(yf), off, af, off);
            Kernels.reference().maxPool(new Buf.F32(xo), off, s, new Buf.F32(yr), off, ar, off);
            assertArrayEquals(ar, af, "arg-max " + s);
            assertArrayEquals(yr, yf, "max " + s);
        }
    }
}
