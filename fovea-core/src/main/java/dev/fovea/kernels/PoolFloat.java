package dev.fovea.kernels;

/**
 * Max pooling forward and backward on raw float arrays, with exactly {@link Pool}'s rules (first maximum wins,
 * padding never wins, NaN propagates); only the virtual element access is gone.
 */
final class PoolFloat {
    private PoolFloat() {}

    static void maxForward(float[] x, int xOff, PoolShape s, float[] y, int yOff, int[] arg, int argOff) {
        if (s.kh() == 2 && s.kw() == 2 && s.sh() == 2 && s.sw() == 2 && s.ph() == 0 && s.pw() == 0 && s.h() % 2 == 0 && s.w() % 2 == 0) {
            max2x2(x, xOff, s, y, yOff, arg, argOff);
            return;
        }
        int oh = s.outH(), ow = s.outW(), h = s.h(), w = s.w(), plane = h * w;
        int o = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            int base = ch * plane;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * s.sh() - s.ph(), y1 = Math.min(y0 + s.kh(), h);
                y0 = Math.max(y0, 0);
                for (int ox = 0; ox < ow; ox++, o++) {
                    int x0 = ox * s.sw() - s.pw(), x1 = Math.min(x0 + s.kw(), w);
                    x0 = Math.max(x0, 0);
                    int best = base + y0 * w + x0;
                    float bv = x[xOff + best];
                    scan:
                    for (int yy = y0; yy < y1; yy++) {
                        int p = base + yy * w;
                        for (int xx = x0; xx < x1; xx++) {
                            float v = x[xOff + p + xx];
                            if (v > bv || v != v) {
                                bv = v;
                                best = p + xx;
                                if (v != v) break scan;
                            }
                        }
                    }
                    y[yOff + o] = bv;
                    arg[argOff + o] = best;
                }
            }
        }
    }

    /** The common 2x2 stride-2 case, windows always whole: four candidates in row-major order. */
    private static void max2x2(float[] x, int xOff, PoolShape s, float[] y, int yOff, int[] arg, int argOff) {
        int w = s.w(), oh = s.outH(), ow = s.outW();
        int o = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            for (int oy = 0; oy < oh; oy++) {
                int r0 = (ch * s.h() + 2 * oy) * w;
                for (int ox = 0; ox < ow; ox++, o++) {
                    int p = r0 + 2 * ox, best = p;
                    float bv = x[xOff + p], v;
                    // bv == bv stops at the first NaN, which must win as in the general loop.
                    if (bv == bv && ((v = x[xOff + p + 1]) > bv || v != v)) {
                        bv = v;
                        best = p + 1;
                    }
                    if (bv == bv && ((v = x[xOff + p + w]) > bv || v != v)) {
                        bv = v;
                        best = p + w;
                    }
                    if (bv == bv && ((v = x[xOff + p + w + 1]) > bv || v != v)) {
                        bv = v;
                        best = p + w + 1;
                    }
                    y[yOff + o] = bv;
                    arg[argOff + o] = best;
                }
            }
        }
    }

    static void maxBackward(float[] gy, int gyOff, int[] arg, int argOff, int count, float[] gx, int gxOff) {
        for (int o = 0; o < count; o++) gx[gxOff + arg[argOff + o]] += gy[gyOff + o];
    }
}
