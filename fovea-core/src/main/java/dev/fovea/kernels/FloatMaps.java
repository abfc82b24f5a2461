package dev.fovea.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise maps over float arrays on the Vector API, for the loops the JIT does not vectorise by itself
 * (a select on a comparison).
 */
public final class FloatMaps {
    private FloatMaps() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** dst[i] = out[i] > threshold ? g[i] : 0 for i in [from, to): the backward pass of ReLU-like gates. */
    public static void gate(float[] out, float threshold, float[] g, float[] dst, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) {
            VectorMask<Float> open = FloatVector.fromArray(S, out, i).compare(VectorOperators.GT, threshold);
            FloatVector.fromArray(S, g, i, open).intoArray(dst, i);
        }
        for (; i < to; i++) dst[i] = out[i] > threshold ? g[i] : 0f;
    }
}
