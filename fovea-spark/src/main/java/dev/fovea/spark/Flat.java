package dev.fovea.spark;

import dev.fovea.kernels.Buf;
import dev.fovea.tensor.Tensor;

import java.util.Collection;

/**
 * Tensors as one flat float array, in the order given (a model's {@code parameters()}, or its
 * {@code namedBuffers().values()}): what a round broadcasts and what partitions sum.
 */
final class Flat {
    private Flat() {}

    static int count(Collection<Tensor> ts) {
        long n = 0;
        for (Tensor t : ts) n += t.numel();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(n + " values do not fit one array");
        return (int) n;
    }

    static float[] of(Collection<Tensor> ts) {
        float[] flat = new float[count(ts)];
        int at = 0;
        for (Tensor t : ts) {
            float[] v = t.toFloatArray();
            System.arraycopy(v, 0, flat, at, v.length);
            at += v.length;
        }
        return flat;
    }

    /** Copies {@code flat} into the tensors, in order. */
    static void load(Collection<Tensor> ts, float[] flat) {
        if (flat.length != count(ts)) throw new IllegalArgumentException("flat state has " + flat.length + " values, the tensors " + count(ts));
        int at = 0;
        for (Tensor t : ts) {
            int n = t.numel();
            if (t.isContiguous() && t.buf() instanceof Buf.F32 f && f.a.length == n) {
                System.arraycopy(flat, at, f.a, 0, n);
            } else {
                float[] part = new float[n];
                System.arraycopy(flat, at, part, 0, n);
                t.copyFrom(Tensor.of(part, t.shape()));
            }
            at += n;
        }
    }

    /** {@code dst[at ..] += scale * t}. */
    static void addScaled(float[] dst, int at, Tensor t, float scale) {
        if (t.isContiguous() && t.buf() instanceof Buf.F32 f && f.a.length == t.numel()) {
            float[] a = f.a;
            for (int i = 0; i < a.length; i++) dst[at + i] += a[i] * scale;
        } else {
            float[] a = t.toFloatArray();
            for (int i = 0; i < a.length; i++) dst[at + i] += a[i] * scale;
        }
    }

    /** {@code a += b}, element by element; b may be null (nothing to add). */
    static float[] add(float[] a, float[] b) {
        if (b == null) return a;
        if (a == null) return b;
        if (a.length != b.length) throw new IllegalStateException("cannot add " + b.length + " values to " + a.length);
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        return a;
    }
}
