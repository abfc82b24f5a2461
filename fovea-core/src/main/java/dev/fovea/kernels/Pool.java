package dev.fovea.kernels;

/**
 * Reference 2-D pooling over {@code c} planes, following PyTorch's definitions:
 * <ul>
 *   <li>max pooling ignores padding (it never wins) and on ties keeps the first position in row-major window
 *       order; a NaN in a window wins, so NaNs propagate;</li>
 *   <li>average pooling divides by the window's size clipped to the padded input ({@code countIncludePad}),
 *       or by the number of real pixels under it otherwise; in ceil mode the part of a window that lies beyond
 *       the padding is never counted.</li>
 * </ul>
 */
final class Pool {
    private Pool() {}

    static void maxForward(Buf x, int xOff, PoolShape s, Buf y, int yOff, int[] arg, int argOff) {
        int oh = s.outH(), ow = s.outW(), plane = s.h() * s.w();
        int o = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * s.sh() - s.ph(), y1 = Math.min(y0 + s.kh(), s.h());
                y0 = Math.max(y0, 0);
                for (int ox = 0; ox < ow; ox++, o++) {
                    int x0 = ox * s.sw() - s.pw(), x1 = Math.min(x0 + s.kw(), s.w());
                    x0 = Math.max(x0, 0);
                    int best = -1;
                    double bv = Double.NEGATIVE_INFINITY;
                    for (int yy = y0; yy < y1; yy++) {
                        for (int xx = x0; xx < x1; xx++) {
                            int p = ch * plane + yy * s.w() + xx;
                            double v = x.get(xOff + p);
                            if (best < 0 || v > bv || Double.isNaN(v)) {
                                best = p;
                                bv = v;
                                if (Double.isNaN(v)) {
                                    yy = y1;
                                    break;
                                }
                            }
                        }
                    }
                    y.set(yOff + o, bv);
                    arg[argOff + o] = best;
                }
            }
        }
    }

    static void maxBackward(Buf gy, int gyOff, int[] arg, int argOff, int count, Buf gx, int gxOff) {
        for (int o = 0; o < count; o++) gx.add(gxOff + arg[argOff + o], gy.get(gyOff + o));
    }

    /** Calls {@code v} with each output index, its window's clipped bounds and its divisor. */
    private interface Window {
        void visit(int o, int ch, int y0, int y1, int x0, int x1, int divisor);
    }

    private static void windows(PoolShape s, boolean countIncludePad, Window v) {
        int oh = s.outH(), ow = s.outW();
        int o = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * s.sh() - s.ph(), y1 = Math.min(y0 + s.kh(), s.h() + s.ph());
                int padH = y1 - y0;
                y0 = Math.max(y0, 0);
                y1 = Math.min(y1, s.h());
                for (int ox = 0; ox < ow; ox++, o++) {
                    int x0 = ox * s.sw() - s.pw(), x1 = Math.min(x0 + s.kw(), s.w() + s.pw());
                    int padW = x1 - x0;
                    x0 = Math.max(x0, 0);
                    x1 = Math.min(x1, s.w());
                    int divisor = countIncludePad ? padH * padW : (y1 - y0) * (x1 - x0);
                    v.visit(o, ch, y0, y1, x0, x1, divisor);
                }
            }
        }
    }

    static void avgForward(Buf x, int xOff, PoolShape s, boolean countIncludePad, Buf y, int yOff) {
        int plane = s.h() * s.w();
        windows(s, countIncludePad, (o, ch, y0, y1, x0, x1, div) -> {
            double sum = 0;
            for (int yy = y0; yy < y1; yy++) {
                for (int xx = x0; xx < x1; xx++) sum += x.get(xOff + ch * plane + yy * s.w() + xx);
            }
            y.set(yOff + o, sum / div);
        });
    }

    static void avgBackward(Buf gy, int gyOff, PoolShape s, boolean countIncludePad, Buf gx, int gxOff) {
        int plane = s.h() * s.w();
        windows(s, countIncludePad, (o, ch, y0, y1, x0, x1, div) -> {
            double g = gy.get(gyOff + o) / div;
            for (int yy = y0; yy < y1; yy++) {
                for (int xx = x0; xx < x1; xx++) gx.add(gxOff + ch * plane + yy * s.w() + xx, g);
            }
        });
    }
}
