package dev.fovea.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Gather maps: row n (1..L) reads the even elements 0, 2, .. 2(n-1) of 2L consecutive floats, one window
     * corner per lane, and lanes from n on read element 0 again, so a short last group never reads past the
     * plane (the lanes past the row are computed and not stored).
     */
    private static final int[][] EVEN = new int[L + 1][L];

    static {
        for (int n = 1; n <= L; n++) {
            for (int i = 0; i < n; i++) EVEN[n][i] = 2 * i;
        }
    }

    /**
     * The common 2x2 stride-2 case, windows always whole: four candidates in row-major order, L windows at a
     * time. Each corner is gathered into its own vector and the corners are compared in the scalar order (a
     * candidate wins when it is larger or NaN, unless a NaN has already won), so ties and NaN resolve exactly
     * as in the general loop. The scalar version lost most of its time to mispredicted branches: which corner
     * wins is a coin toss on real activations.
     */
    private static void max2x2(float[] x, int xOff, PoolShape s, float[] y, int yOff, int[] arg, int argOff) {
        int w = s.w(), oh = s.outH(), ow = s.outW();
        IntVector lane2 = IntVector.fromArray(I, EVEN[L], 0);
        int o = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            for (int oy = 0; oy < oh; oy++) {
                int r0 = (ch * s.h() + 2 * oy) * w;
                for (int ox = 0; ox < ow; ox += L) {
                    int n = Math.min(L, ow - ox);
                    int[] map = EVEN[n];
                    VectorMask<Float> m = S.indexInRange(0, n);
                    int p = r0 + 2 * ox;
                    FloatVector bv = FloatVector.fromArray(S, x, xOff + p, map, 0);
                    IntVector best = lane2.add(p);
                    FloatVector v = FloatVector.fromArray(S, x, xOff + p + 1, map, 0);
                    VectorMask<Float> t = bv.eq(bv).and(v.compare(VectorOperators.GT, bv).or(v.test(VectorOperators.IS_NAN)));
                    bv = bv.blend(v, t);
                    best = best.blend(best.add(1), t.cast(I));
                    v = FloatVector.fromArray(S, x, xOff + p + w, map, 0);
                    t = bv.eq(bv).and(v.compare(VectorOperators.GT, bv).or(v.test(VectorOperators.IS_NAN)));
                    bv = bv.blend(v, t);
                    best = best.blend(lane2.add(p + w), t.cast(I));
                    v = FloatVector.fromArray(S, x, xOff + p + w + 1, map, 0);
                    t = bv.eq(bv).and(v.compare(VectorOperators.GT, bv).or(v.test(VectorOperators.IS_NAN)));
                    bv = bv.blend(v, t);
                    best = best.blend(lane2.add(p + w + 1), t.cast(I));
                    bv.intoArray(y, yOff + o + ox, m);
                    best.intoArray(arg, argOff + o + ox, m.cast(I));
                }
                o += ow;
            }
        }
    }

    static void maxBackward(float[] gy, int gyOff, int[] arg, int argOff, int count, float[] gx, int gxOff) {
        for (int o = 0; o < count; o++) gx[gxOff + arg[argOff + o]] += gy[gyOff + o];
    }
}
