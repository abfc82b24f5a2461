package dev.fovea.kernels;

/**
 * The geometry of 2-D pooling over {@code c} planes of {@code h x w}. Output sizes follow PyTorch, ceil mode
 * included: a window may run past the right edge in ceil mode, but it must start inside the (left-padded) input.
 */
public record PoolShape(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, boolean ceilMode) {

    public PoolShape {
        if (kh < 1 || kw < 1) throw new IllegalArgumentException("pool kernel must be positive, got " + kh + "x" + kw);
        if (sh < 1 || sw < 1) throw new IllegalArgumentException("pool stride must be positive, got " + sh + "x" + sw);
        if (ph < 0 || pw < 0 || 2 * ph > kh || 2 * pw > kw) {
            throw new IllegalArgumentException("pool padding must be at most half the kernel (PyTorch's rule), got " + ph + "x" + pw + " for kernel " + kh + "x" + kw);
        }
    }

    public static int outSize(int in, int k, int stride, int pad, boolean ceil) {
        int num = in + 2 * pad - k + (ceil ? stride - 1 : 0);
        int out = Math.floorDiv(num, stride) + 1;
        if (ceil && (out - 1) * stride >= in + pad) out--;
        return out;
    }

    public int outH() {
        return outSize(h, kh, sh, ph, ceilMode);
    }

    public int outW() {
        return outSize(w, kw, sw, pw, ceilMode);
    }
}
