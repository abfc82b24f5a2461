package dev.fovea.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A row-major SGEMM C (m x n) = op(A) (m x k) . op(B) (k x n); {@code ta}/{@code tb} say A/B are stored
 * transposed (k x m, n x k).
 */
public record GemmShape(String name, boolean ta, boolean tb, int m, int n, int k) {

    /** Square reference sizes and the GEMMs of every benchmark convolution layer. */
    public static List<GemmShape> all() {
        List<GemmShape> all = new ArrayList<>();
        for (int s : new int[] {256, 512, 1024}) all.add(new GemmShape("square." + s, false, false, s, s, s));
        for (ConvLayer l : ConvLayer.ALL) all.addAll(l.gemms());
        return all;
    }

    public static GemmShape named(String name) {
        for (GemmShape g : all()) if (g.name.equals(name)) return g;
        throw new IllegalArgumentException("unknown GEMM shape '" + name + "'");
    }

    public double flops() {
        return 2.0 * m * n * k;
    }

    public int lda() {
        return ta ? m : k;
    }

    public int ldb() {
        return tb ? k : n;
    }

    public int ldc() {
        return n;
    }

    /** "nn", "nt" or "tn". */
    public String op() {
        return (ta ? "t" : "n") + (tb ? "t" : "n");
    }
}
