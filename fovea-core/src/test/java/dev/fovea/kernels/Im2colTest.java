package dev.fovea.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** im2col against its definition, col2im as its exact adjoint, and the shape records' output sizes. */
class Im2colTest {

    private static ConvShape randomShape(SplittableRandom r) {
        while (true) {
            ConvShape s = new ConvShape(r.nextInt(1, 4), r.nextInt(1, 10), r.nextInt(1, 10), r.nextInt(1, 5), r.nextInt(1, 5),
                    r.nextInt(1, 4), r.nextInt(1, 4), r.nextInt(0, 3), r.nextInt(0, 3), r.nextInt(1, 4), r.nextInt(1, 4));
            if (s.outH() >= 1 && s.outW() >= 1) return s;
        }
    }

    private static double[] random(SplittableRandom r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = r.nextDouble() * 2 - 1;
        return a;
    }

    @Test
    void im2colMatchesItsDefinition() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            ConvShape s = randomShape(r);
            int xOff = r.nextInt(5), colOff = r.nextInt(5);
            double[] x = random(r, xOff + s.c() * s.h() * s.w());
            double[] col = random(r, colOff + s.colRows() * s.colCols()); // garbage that must be overwritten
            Kernels.reference().im2col(new Buf.F64(x), xOff, s, new Buf.F64(col), colOff);
            int oh = (s.h() + 2 * s.ph() - s.dh() * (s.kh() - 1) - 1) / s.sh() + 1;
            int ow = (s.w() + 2 * s.pw() - s.dw() * (s.kw() - 1) - 1) / s.sw() + 1;
            assertEquals(oh * ow, s.colCols(), s.toString());
            for (int ch = 0; ch < s.c(); ch++) {
                for (int i = 0; i < s.kh(); i++) {
                    for (int j = 0; j < s.kw(); j++) {
                        int row = (ch * s.kh() + i) * s.kw() + j;
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                int y = oy * s.sh() - s.ph() + i * s.dh(), xx = ox * s.sw() - s.pw() + j * s.dw();
                                double expected = y < 0 || y >= s.h() || xx < 0 || xx >= s.w() ? 0 : x[xOff + (ch * s.h() + y) * s.w() + xx];
                                assertEquals(expected, col[colOff + row * oh * ow + oy * ow + ox], 0.0, s.toString());
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        // <im2col(x), c> == <x, col2im(c)> for every x and c: col2im sends each column entry back to its pixel.
        SplittableRandom r = new SplittableRandom(12);
        for (int trial = 0; trial < 300; trial++) {
            ConvShape s = randomShape(r);
            int xOff = r.nextInt(4), colOff = r.nextInt(4);
            int nx = s.c() * s.h() * s.w(), nc = s.colRows() * s.colCols();
            double[] x = random(r, xOff + nx), c = random(r, colOff + nc);

            Buf.F64 col = new Buf.F64(new double[colOff + nc]);
            Kernels.reference().im2col(new Buf.F64(x), xOff, s, col, colOff);
            double lhs = 0;
            for (int i = 0; i < nc; i++) lhs += col.a[colOff + i] * c[colOff + i];

            Buf.F64 gx = new Buf.F64(new double[xOff + nx]);
            Kernels.reference().col2im(new Buf.F64(c), colOff, s, gx, xOff);
            double rhs = 0;
            for (int i = 0; i < nx; i++) rhs += x[xOff + i] * gx.a[xOff + i];

            assertEquals(lhs, rhs, 1e-12 * (1 + Math.abs(lhs)), s.toString());
            for (int i = 0; i < xOff; i++) assertEquals(0, gx.a[i], 0.0, "col2im wrote before its offset");
        }
    }

    @Test
    void col2imAddsIntoTheImageRatherThanOverwriting() {
        ConvShape s = new ConvShape(1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1);
        double[] ones = new double[s.colRows() * s.colCols()];
        java.util.Arrays.fill(ones, 1);
        double[] gx = {10, 10, 10, 10, 10, 10, 10, 10, 10};
        Kernels.reference().col2im(new Buf.F64(ones), 0, s, new Buf.F64(gx), 0);
        // Each pixel gains the number of 2x2 windows covering it: corners 1, edges 2, centre 4.
        double[] expected = {11, 12, 11, 12, 14, 12, 11, 12, 11};
        for (int i = 0; i < 9; i++) assertEquals(expected[i], gx[i], 0.0);
    }

    @Test
    void float32AndFloat64AgreeExactly() {
        SplittableRandom r = new SplittableRandom(13);
        for (int trial = 0; trial < 50; trial++) {
            ConvShape s = randomShape(r);
            int nx = s.c() * s.h() * s.w(), nc = s.colRows() * s.colCols();
            float[] x = new float[nx];
            for (int i = 0; i < nx; i++) x[i] = (float) r.nextDouble();
            double[] xd = new double[nx];
            for (int i = 0; i < nx; i++) xd[i] = x[i];
            Buf.F32 c32 = new Buf.F32(new float[nc]);
            Buf.F64 c64 = new Buf.F64(new double[nc]);
            Kernels.reference().im2col(new Buf.F32(x), 0, s, c32, 0);
            Kernels.reference().im2col(new Buf.F64(xd), 0, s, c64, 0);
            for (int i = 0; i < nc; i++) assertEquals(c64.a[i], c32.a[i], 0.0);
        }
    }

    @Test
    void outputSizes() {
        // PyTorch: floor((in + 2p - d(k-1) - 1) / s) + 1.
        assertEquals(63, ConvShape.outSize(256, 12, 4, 2, 1));
        assertEquals(99, ConvShape.outSize(200, 5, 2, 1, 1));
        assertEquals(3, ConvShape.outSize(7, 3, 2, 0, 1));
        assertEquals(3, ConvShape.outSize(7, 3, 1, 0, 2));   // effective kernel 5
        assertEquals(0, ConvShape.outSize(2, 3, 1, 0, 1));   // too small: callers reject it
        assertEquals(2, PoolShape.outSize(5, 2, 2, 0, false));
        assertEquals(3, PoolShape.outSize(5, 2, 2, 0, true));
        assertEquals(3, PoolShape.outSize(5, 2, 2, 1, true));  // the 4th window would start in the padding
        assertEquals(4, PoolShape.outSize(6, 3, 2, 1, true));
        assertEquals(3, PoolShape.outSize(6, 3, 2, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new ConvShape(1, 5, 5, 0, 3, 1, 1, 0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConvShape(1, 5, 5, 3, 3, 1, 0, 0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConvShape(1, 5, 5, 3, 3, 1, 1, 0, -1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConvShape(1, 5, 5, 3, 3, 1, 1, 0, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new PoolShape(1, 5, 5, 2, 2, 2, 2, 2, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new PoolShape(1, 5, 5, 2, 2, 0, 2, 0, 0, false));
    }
}
