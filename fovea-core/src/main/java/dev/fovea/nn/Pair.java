package dev.fovea.nn;

import java.util.Arrays;

/** Reads the (height, width) pairs layer constructors take, like PyTorch's int-or-tuple arguments. */
final class Pair {
    private Pair() {}

    static int[] of(int v) {
        return new int[] {v, v};
    }

    static int[] of(int[] v, String what) {
        if (v == null || v.length != 2) throw new IllegalArgumentException(what + " must have 2 values (height, width), got " + Arrays.toString(v));
        return v.clone();
    }
}
