package dev.fovea.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * im2col and col2im on raw float arrays: the same definition as {@link Im2col}, but each output row is written as
 * runs: zeros where the window hangs over the padding, and for stride 1 one contiguous copy (or add) of the
 * input row in between, which the JIT turns into vector moves.
 */
final class Im2colFloat {
    private Im2colFloat() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** First and one-past-last output column whose input column ox*sw - pw + j*dw lies inside [0, w). */
    private static int lo(int off, int sw) {
        return off >= 0 ? 0 : (-off + sw - 1) / sw;
    }

    private static int hi(int off, int sw, int w, int ow) {
        return Math.max(0, Math.min(ow, Math.floorDiv(w - 1 - off, sw) + 1));
    }

    static void im2col(float[] x, int xOff, ConvShape s, float[] col, int colOff, int ldCol) {
        if (s.sh() == 1 && s.sw() == 1 && s.outW() == s.w()) {
            im2colSame(x, xOff, s, col, colOff, ldCol);
            return;
        }
        if (s.sw() == 1 && s.ph() == 0 && s.pw() == 0 && s.outW() <= L) {
            im2colNarrow(x, xOff, s, col, colOff, ldCol);
            return;
        }
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
                        if (sw == 1) {
                            Arrays.fill(col, dst, dst + lo, 0f);
                            if (hi > lo) System.arraycopy(x, src + lo, col, dst + lo, hi - lo);
                            Arrays.fill(col, dst + hi, dst + ow, 0f);
                            continue;
                        }
                        for (int ox = 0; ox < lo; ox++) col[dst + ox] = 0f;
                        for (int ox = lo; ox < hi; ox++) col[dst + ox] = x[src + ox * sw];
                        for (int ox = hi; ox < ow; ox++) col[dst + ox] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Stride 1 with the output as wide as the input ("same" padding, 3x3 pad 1 and the like): the input rows a
     * kernel tap reads lie next to each other just as the output rows do, so a whole tap's block is one copy of
     * the input plane shifted by the tap's offset. The columns that copy wraps across a row edge, and the rows
     * above and below the image, are then zeroed. This is one arraycopy per tap instead of one per output row,
     * which for small planes (32x32 and below) cost more in calls than in bytes.
     */
    private static void im2colSame(float[] x, int xOff, ConvShape s, float[] col, int colOff, int ldCol) {
        int oh = s.outH(), ow = s.outW(), h = s.h(), w = s.w();
        int row = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            for (int i = 0; i < s.kh(); i++) {
                int dy = i * s.dh() - s.ph(); // input row = output row + dy
                int yLo = Math.max(0, -dy), yHi = Math.min(oh, h - dy); // output rows that read inside the image
                for (int j = 0; j < s.kw(); j++, row++) {
                    int off = j * s.dw() - s.pw();
                    int lo = Math.min(lo(off, 1), ow), hi = Math.max(lo, hi(off, 1, w, ow));
                    int dst = colOff + row * ldCol;
                    if (yHi <= yLo || hi <= lo) {
                        Arrays.fill(col, dst, dst + oh * ow, 0f);
                        continue;
                    }
                    Arrays.fill(col, dst, dst + yLo * ow + lo, 0f);
                    int from = yLo * ow + lo, to = (yHi - 1) * ow + hi;
                    System.arraycopy(x, xOff + ch * h * w + dy * w + off + from, col, dst + from, to - from);
                    for (int oy = yLo; oy < yHi - 1; oy++) {
                        // between this row's last valid column and the next row's first: wrapped values
                        int a = dst + oy * ow + hi, b = dst + (oy + 1) * ow + lo;
                        for (int p = a; p < b; p++) col[p] = 0f;
                    }
                    Arrays.fill(col, dst + to, dst + oh * ow, 0f);
                }
            }
        }
    }

    /**
     * No padding, stride 1 along rows and output rows at most one vector wide (LeNet-5's second layer: 10 wide):
     * each output row is copied as one whole vector, spilling past its end into the next row's place, which the
     * next copy then overwrites; only the rows whose spill would leave the tap's block use arraycopy. For rows
     * this short, arraycopy's call cost more than the data.
     */
    private static void im2colNarrow(float[] x, int xOff, ConvShape s, float[] col, int colOff, int ldCol) {
        int oh = s.outH(), ow = s.outW(), h = s.h(), w = s.w(), block = oh * ow;
        int row = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            for (int i = 0; i < s.kh(); i++) {
                for (int j = 0; j < s.kw(); j++, row++) {
                    int dst = colOff + row * ldCol, src = xOff + (ch * h + i * s.dh()) * w + j * s.dw();
                    for (int oy = 0; oy < oh; oy++, dst += ow, src += s.sh() * w) {
                        if (oy * ow + L <= block && src + L <= x.length) {
                            FloatVector.fromArray(S, x, src).intoArray(col, dst);
                        } else {
                            System.arraycopy(x, src, col, dst, ow);
                        }
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
