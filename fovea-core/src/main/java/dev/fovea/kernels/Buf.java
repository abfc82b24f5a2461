package dev.fovea.kernels;

/**
 * A flat array of numbers in float32 or float64: the storage under every tensor.
 *
 * <p>Float32 is what models train in. Float64 exists so that finite-difference gradient checks can run
 * every operation in double precision through the very same code path. Plain loops read and write through
 * {@link #get}/{@link #set}; kernels that have a fast path test for {@link F32} and work on the raw array.
 */
public sealed abstract class Buf permits Buf.F32, Buf.F64 {

    public abstract int length();

    public abstract double get(int i);

    public abstract void set(int i, double v);

    public abstract void add(int i, double v);

    /**
     * A new zero-filled buffer of the same precision, for what one step computes: in float32 it comes from the
     * {@link Arena} open on this thread, if any. What must outlive the step is made with {@link #allocate}.
     */
    public abstract Buf like(int length);

    /**
     * Like {@link #like}, but the contents are unspecified (from an arena, the last step's values): for an output
     * the caller writes in full, which then skips the zero-fill.
     */
    public abstract Buf likeForOverwrite(int length);

    public abstract boolean isDouble();

    /** A new zero-filled buffer that never comes from an {@link Arena}: for what outlives a step. */
    public static Buf allocate(int length, boolean dbl) {
        return dbl ? new F64(new double[length]) : new F32(new float[length]);
    }

    public void fill(double v) {
        for (int i = 0, n = length(); i < n; i++) set(i, v);
    }

    /** Copies {@code n} numbers from {@code src[srcOff..]} to {@code this[dstOff..]}, converting precision if needed. */
    public void copyFrom(Buf src, int srcOff, int dstOff, int n) {
        if (src instanceof F32 s && this instanceof F32 d) {
            System.arraycopy(s.a, srcOff, d.a, dstOff, n);
        } else if (src instanceof F64 s && this instanceof F64 d) {
            System.arraycopy(s.a, srcOff, d.a, dstOff, n);
        } else {
            for (int i = 0; i < n; i++) set(dstOff + i, src.get(srcOff + i));
        }
    }

    public static final class F32 extends Buf {
        public final float[] a;

        public F32(float[] a) {
            this.a = a;
        }

        @Override public int length() { return a.length; }
        @Override public double get(int i) { return a[i]; }
        @Override public void set(int i, double v) { a[i] = (float) v; }
        @Override public void add(int i, double v) { a[i] += (float) v; }
        @Override public Buf like(int length) { return new F32(Arena.floats(length)); }
        @Override public Buf likeForOverwrite(int length) { return new F32(Arena.floatsForOverwrite(length)); }
        @Override public boolean isDouble() { return false; }
        @Override public void fill(double v) { java.util.Arrays.fill(a, (float) v); }
    }

    public static final class F64 extends Buf {
        public final double[] a;

        public F64(double[] a) {
            this.a = a;
        }

        @Override public int length() { return a.length; }
        @Override public double get(int i) { return a[i]; }
        @Override public void set(int i, double v) { a[i] = v; }
        @Override public void add(int i, double v) { a[i] += v; }
        @Override public Buf like(int length) { return new F64(new double[length]); }
        @Override public Buf likeForOverwrite(int length) { return like(length); }
        @Override public boolean isDouble() { return true; }
        @Override public void fill(double v) { java.util.Arrays.fill(a, v); }
    }
}
