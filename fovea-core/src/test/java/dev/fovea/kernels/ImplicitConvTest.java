package dev.fovea.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The implicit-GEMM convolution against the definition (im2col, then a plain product in double) on random stride-1
 * shapes, called directly so that small shapes the production rule ({@link ImplicitConv#applies}) sends to im2col
 * are covered too: odd sizes, asymmetric kernels and padding (more than "same" too), dilation, more than
 * {@link VectorGemm#KC} rows (k slices), more than one register tile of output channels, offsets into larger
 * arrays, and one to sixty images per call at strides with gaps (more than one stack of images).
 */
class ImplicitConvTest {

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    /** im2col of one image by the reference kernels, as doubles: colRows x colCols. */
    private static double[][] columns(float[] x, int xOff, ConvShape s) {
        Buf.F64 col = new Buf.F64(new double[s.colRows() * s.colCols()]);
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) xd[i] = x[i];
        Kernels.reference().im2col(new Buf.F64(xd), xOff, s, col, 0);
        double[][] m = new double[s.colRows()][s.colCols()];
        for (int k = 0; k < s.colRows(); k++) for (int p = 0; p < s.colCols(); p++) m[k][p] = col.get(k * s.colCols() + p);
        return m;
    }

    @Test
    void forwardAndWeightGradientMatchTheDefinition() {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 80; trial++) {
            int c = 1 + r.nextInt(trial % 10 == 0 ? 40 : 12), og = 1 + r.nextInt(trial % 7 == 0 ? 20 : 9);
            int kh = 1 + r.nextInt(5), kw = 1 + r.nextInt(5), dh = 1 + r.nextInt(2), dw = 1 + r.nextInt(2);
            int ph = r.nextInt(3), pw = r.nextInt(3);
            int h = Math.max(1, dh * (kh - 1) + 1 - 2 * ph) + r.nextInt(30), w = Math.max(1, dw * (kw - 1) + 1 - 2 * pw) + r.nextInt(30);
            ConvShape s = new ConvShape(c, h, w, kh, kw, 1, 1, ph, pw, dh, dw);
            int oh = s.outH(), ow = s.outW(), k = s.colRows(), pix = oh * ow;
            // Several images, stacked by the kernel, at strides with gaps between them (as channel groups have).
            int count = 1 + r.nextInt(trial % 5 == 0 ? 60 : 4);
            int xOff = r.nextInt(5), wOff = r.nextInt(5), yOff = r.nextInt(5);
            int xStride = c * h * w + r.nextInt(3), yStride = og * pix + r.nextInt(3);
            float[] x = random(r, xOff + count * xStride + r.nextInt(3)), wt = random(r, wOff + og * k), gy = random(r, yOff + count * yStride);
            double[][][] col = new double[count][][];
            for (int i = 0; i < count; i++) col[i] = columns(x, xOff + i * xStride, s);
            String where = "trial " + trial + " " + s + " og=" + og + " images=" + count;

            float[] y = random(r, yOff + count * yStride + 2);
            float[] before = y.clone();
            ImplicitConv.forward(x, xOff, xStride, count, s, wt, wOff, og, y, yOff, yStride);
            for (int idx = 0; idx < y.length; idx++) {
                int i = (idx - yOff) / yStride, at = (idx - yOff) % yStride;
                if (idx < yOff || i >= count || at >= og * pix) {
                    assertEquals(before[idx], y[idx], 0f, "outside the outputs, " + where);
                    continue;
                }
                int o = at / pix, p = at % pix;
                double e = 0;
                for (int q = 0; q < k; q++) e += wt[wOff + o * k + q] * col[i][q][p];
                assertEquals(e, y[idx], 1e-5 * (1 + Math.sqrt(k)), "forward, " + where + " at " + idx);
            }

            float[] gw = random(r, og * k + 3);
            float[] gw0 = gw.clone();
            ImplicitConv.weightGrad(x, xOff, xStride, count, s, gy, yOff, yStride, og, gw, 1);
            for (int idx = 0; idx < gw.length; idx++) {
                if (idx < 1 || idx >= 1 + og * k) {
                    assertEquals(gw0[idx], gw[idx], 0f, "outside the weight gradient, " + where);
                    continue;
                }
                int o = (idx - 1) / k, q = (idx - 1) % k;
                double e = gw0[idx];
                for (int i = 0; i < count; i++) {
                    for (int p = 0; p < pix; p++) e += gy[yOff + i * yStride + o * pix + p] * col[i][q][p];
                }
                assertEquals(e, gw[idx], 1e-5 * (1 + Math.sqrt(count * pix)), "weight gradient, " + where + " at " + idx);
            }
        }
    }

    @Test
    void theRuleKeepsLayersThatWasteTooMuchOnIm2col() {
        assertTrue(ImplicitConv.applies(new ConvShape(16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertTrue(ImplicitConv.applies(new ConvShape(32, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertTrue(ImplicitConv.applies(new ConvShape(64, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertFalse(ImplicitConv.applies(new ConvShape(6, 14, 14, 5, 5, 1, 1, 0, 0, 1, 1)));
        assertFalse(ImplicitConv.applies(new ConvShape(16, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1)));
    }
}
