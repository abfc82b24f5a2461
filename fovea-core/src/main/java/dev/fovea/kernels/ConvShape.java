package dev.fovea.kernels;

/**
 * The geometry of one 2-D convolution over a single image (or one group of its channels):
 * input {@code c x h x w}, kernel {@code kh x kw}, stride, zero padding and dilation per axis.
 * Output size per axis is PyTorch's: floor((in + 2*pad - dilation*(k-1) - 1) / stride) + 1.
 */
public record ConvShape(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {

    public ConvShape {
        if (kh < 1 || kw < 1) throw new IllegalArgumentException("kernel size must be positive, got " + kh + "x" + kw);
        if (sh < 1 || sw < 1) throw new IllegalArgumentException("stride must be positive, got " + sh + "x" + sw);
        if (dh < 1 || dw < 1) throw new IllegalArgumentException("dilation must be positive, got " + dh + "x" + dw);
        if (ph < 0 || pw < 0) throw new IllegalArgumentException("padding must not be negative, got " + ph + "x" + pw);
    }

    public static int outSize(int in, int k, int stride, int pad, int dilation) {
        return Math.floorDiv(in + 2 * pad - dilation * (k - 1) - 1, stride) + 1;
    }

    public int outH() {
        return outSize(h, kh, sh, ph, dh);
    }

    public int outW() {
        return outSize(w, kw, sw, pw, dw);
    }

    /** Rows of the im2col matrix: one per (channel, kernel row, kernel column). */
    public int colRows() {
        return c * kh * kw;
    }

    /** Columns of the im2col matrix: one per output pixel. */
    public int colCols() {
        return outH() * outW();
    }
}
