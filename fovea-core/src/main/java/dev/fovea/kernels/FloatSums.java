package dev.fovea.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums over a segment of a float array on the Vector API: four vector accumulators (so additions do not wait on each
 * other), lanes then added in a fixed order, the result returned as a double. A plain {@code double s += a[p]} loop
 * runs one addition per latency of the adder, 4-8x slower; the callers (batch norm's statistics and gradients)
 * add segment results up in double, so float accumulation only ever spans one segment (a channel's plane).
 *
 * <p>Lanes are summed in lane order, not with {@code reduceLanes}, whose order of additions may
 * change when the JIT recompiles it: results stay the same bit for bit from run to run.
 */
public final class FloatSums {
    private FloatSums() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Sum of a[at .. at+len). */
    public static double sum(float[] a, int at, int len) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int p = at, end = at + len;
        for (; p <= end - 4 * L; p += 4 * L) {
            s0 = s0.add(FloatVector.fromArray(S, a, p));
            s1 = s1.add(FloatVector.fromArray(S, a, p + L));
            s2 = s2.add(FloatVector.fromArray(S, a, p + 2 * L));
            s3 = s3.add(FloatVector.fromArray(S, a, p + 3 * L));
        }
        for (; p <= end - L; p += L) s0 = s0.add(FloatVector.fromArray(S, a, p));
        double s = lanes(s0.add(s1).add(s2.add(s3)));
        for (; p < end; p++) s += a[p];
        return s;
    }

    /** Sum of (a[p] - mean)^2 over the segment. */
    public static double squaredDeviations(float[] a, int at, int len, double mean) {
        FloatVector m = FloatVector.broadcast(S, (float) mean);
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        int p = at, end = at + len;
        for (; p <= end - 2 * L; p += 2 * L) {
            FloatVector d0 = FloatVector.fromArray(S, a, p).sub(m), d1 = FloatVector.fromArray(S, a, p + L).sub(m);
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
        }
        for (; p <= end - L; p += L) {
            FloatVector d = FloatVector.fromArray(S, a, p).sub(m);
            s0 = d.fma(d, s0);
        }
        double s = lanes(s0.add(s1));
        for (; p < end; p++) {
            double d = a[p] - mean;
            s += d * d;
        }
        return s;
    }

    /**
     * Batch norm's two gradient sums over one segment, in one pass over g: {@code sumG[i] += sum(g)} and
     * {@code sumGH[i] += sum(g * xhat)}, with xhat = (x - mean) * invStd computed as the forward pass computed it
     * (same float operations, so the same values) instead of read from a stored copy.
     */
    public static void gradientSums(float[] g, float[] x, int at, int len, float mean, float invStd, double[] sumG, double[] sumGH, int i) {
        FloatVector m = FloatVector.broadcast(S, mean), is = FloatVector.broadcast(S, invStd);
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), d0 = FloatVector.zero(S), d1 = FloatVector.zero(S);
        int p = at, end = at + len;
        for (; p <= end - 2 * L; p += 2 * L) {
            FloatVector g0 = FloatVector.fromArray(S, g, p), g1 = FloatVector.fromArray(S, g, p + L);
            s0 = s0.add(g0);
            s1 = s1.add(g1);
            d0 = g0.fma(FloatVector.fromArray(S, x, p).sub(m).mul(is), d0);
            d1 = g1.fma(FloatVector.fromArray(S, x, p + L).sub(m).mul(is), d1);
        }
        for (; p <= end - L; p += L) {
            FloatVector g0 = FloatVector.fromArray(S, g, p);
            s0 = s0.add(g0);
            d0 = g0.fma(FloatVector.fromArray(S, x, p).sub(m).mul(is), d0);
        }
        double s = lanes(s0.add(s1)), d = lanes(d0.add(d1));
        for (; p < end; p++) {
            s += g[p];
            d += g[p] * ((x[p] - mean) * invStd);
        }
        sumG[i] += s;
        sumGH[i] += d;
    }

    private static double lanes(FloatVector v) {
        // Lane by lane rather than through a scratch array: the array was not scalar-replaced, and at one call
        // per channel plane it was most of what a batch-norm training step allocated.
        double s = 0;
        for (int i = 0; i < L; i++) s += v.lane(i);
        return s;
    }
}
