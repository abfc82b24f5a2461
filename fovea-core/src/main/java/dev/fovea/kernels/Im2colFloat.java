package dev.fovea.kernels;

import java.util.Arrays;

/**
 * im2col and col2im on raw float arrays: the same definition as {@link Im2col}, but each output row is written as
 * runs: zeros where the window hangs over the padding, and for stride 1 one contiguous copy (or add) of the
 * input row in between, which the JIT turns into vector moves.
 */
final class Im2colFloat {
    private Im2colFloat() {}

    /** First and one-past-last output column whose input column ox*sw - pw + j*dw lies inside [0, w). */
    private static int lo(int off, int sw) {
        return off >= 0 ? 0 : (-off + sw - 1) / sw;
    }

    private static int hi(int off, int sw, int w, int ow) {
        return Math.max(0, Math.min(ow, Math.floorDiv(w - 1 - off, sw) + 1));
    }

    static void im2col(float[] x, int xOff, ConvShape s, float[] col, int colOff, int ldCol) {
        int oh = s.outH(), ow = s.outW(), h = s.h(), w = s.w(), sw = s.sw();
        int row = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            for (int i = 0; i < s.kh(); i++) {
                for (int j = 0; j < s.kw(); j++, row++) {
                    int off = j * s.dw() - s.pw();
                    int lo = Math.min(lo(off, sw), ow), hi = Math.max(lo, hi(off, sw, w, ow));
                    int dst = colOff + row * ldCol;
                    for (int oy = 0; oy < oh; oy++, dst += ow) {
                        int y = oy * s.sh() - s.ph() + i * s.dh();
                        if (y < 0 || y >= h) {
                            Arrays.fill(col, dst, dst + ow, 0f);
                            continue;
                        }
                        int src = xOff + (ch * h + y) * w + off;
                        Arrays.fill(col, dst, dst + lo, 0f);
                        if (sw == 1) {
                            if (hi > lo) System.arraycopy(x, src + lo, col, dst + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) col[dst + ox] = x[src + ox * sw];
                        }
                        Arrays.fill(col, dst + hi, dst + ow, 0f);
                    }
                }
            }
        }
    }

    static void col2im(float[] col, int colOff, ConvShape s, float[] gx, int gxOff, int ldCol) {
        int oh = s.outH(), ow = s.outW(), h = s.h(), w = s.w(), sw = s.sw();
        int row = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            for (int i = 0; i < s.kh(); i++) {
                for (int j = 0; j < s.kw(); j++, row++) {
                    int off = j * s.dw() - s.pw();
                    int lo = Math.min(lo(off, sw), ow), hi = Math.max(lo, hi(off, sw, w, ow));
                    int src = colOff + row * ldCol;
                    for (int oy = 0; oy < oh; oy++, src += ow) {
                        int y = oy * s.sh() - s.ph() + i * s.dh();
                        if (y < 0 || y >= h) continue;
                        int dst = gxOff + (ch * h + y) * w + off;
                        if (sw == 1) {
                            for (int ox = lo; ox < hi; ox++) gx[dst + ox] += col[src + ox];
                        } else {
                            for (int ox = lo; ox < hi; ox++) gx[dst + ox * sw] += col[src + ox];
                        }
                    }
                }
            }
        }
    }
}
