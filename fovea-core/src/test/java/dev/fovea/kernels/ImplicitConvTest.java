package dev.fovea.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The implicit-GEMM convolution against the definition (im2col, then a plain product in double) on random stride-1
 * shapes, called directly so that small shapes the production rule ({@link ImplicitConv#applies}) sends to im2col
 * are covered too: odd sizes, asymmetric kernels and padding, dilation, more than {@link VectorGemm#KC} rows (k
 * slices), more than one register tile of output channels, and offsets into larger arrays.
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
            int xOff = r.nextInt(5), wOff = r.nextInt(5), yOff = r.nextInt(5);
            float[] x = random(r, xOff + c * h * w + r.nextInt(3)), wt = random(r, wOff + og * k), gy = random(r, yOff + og * pix);
            double[][] col = columns(x, xOff, s);
            String where = "trial " + trial + " " + s + " og=" + og;

            float[] y = random(r, yOff + og * pix + 2);
            float[] before = y.clone();
            ImplicitConv.forward(x, xOff, s, wt, wOff, og, y, yOff);
            for (int i = 0; i < y.length; i++) {
                if (i < yOff || i >= yOff + og * pix) {
                    assertEquals(before[i], y[i], 0f, "outside the output, " + where);
                    continue;
                }
                int o = (i - yOff) / pix, p = (i - yOff) % pix;
                double e = 0;
                for (int q = 0; q < k; q++) e += wt[wOff + o * k + q] * col[q][p];
                assertEquals(e, y[i], 1e-5 * (1 + Math.sqrt(k)), "forward, " + where + " at " + i);
            }

            float[] gw = random(r, og * k + 3);
            float[] gw0 = gw.clone();
            ImplicitConv.weightGrad(x, xOff, s, gy, yOff, og, gw, 1);
            for (int i = 0; i < gw.length; i++) {
                if (i < 1 || i >= 1 + og * k) {
                    assertEquals(gw0[i], gw[i], 0f, "outside the weight gradient, " + where);
                    continue;
                }
                int o = (i - 1) / k, q = (i - 1) % k;
                double e = gw0[i];
                for (int p = 0; p < pix; p++) e += gy[yOff + o * pix + p] * col[q][p];
                assertEquals(e, gw[i], 1e-5 * (1 + Math.sqrt(pix)), "weight gradient, " + where + " at " + i);
            }
        }
    }

    @Test
    void theRuleKeepsSmallMapsOnIm2col() {
        assertTrue(ImplicitConv.applies(new ConvShape(16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertTrue(ImplicitConv.applies(new ConvShape(32, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertFalse(ImplicitConv.applies(new ConvShape(64, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1)));
        assertFalse(ImplicitConv.applies(new ConvShape(16, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1)));
    }
}
