package dev.fovea.tensor;

/**
 * Independent, deliberately naive references for convolution and pooling: nested loops over the definitions,
 * written from PyTorch's documentation and sharing no code with the library (not even its output-size helpers).
 * Arrays are NCHW, row-major.
 */
final class Naive {
    private Naive() {}

    /** floor((in + 2p - d(k-1) - 1) / s) + 1, from torch.nn.Conv2d's documentation. */
    static int convOut(int in, int k, int s, int p, int d) {
        return (int) Math.floor((in + 2.0 * p - d * (k - 1.0) - 1) / s) + 1;
    }

    /**
     * torch.nn.functional.conv2d: y[n][o][i][j] = b[o] + sum over the channels c of o's group and the kernel taps
     * (u, v) of w[o][c - groupStart][u][v] * x[n][c][i*sh - ph + u*dh][j*sw - pw + v*dw] (zero outside).
     */
    static double[] conv2d(double[] x, int n, int c, int h, int w,
                           double[] wt, int cout, int kh, int kw, double[] bias,
                           int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        int oh = convOut(h, kh, sh, ph, dh), ow = convOut(w, kw, sw, pw, dw);
        int cinPerGroup = c / groups, coutPerGroup = cout / groups;
        double[] y = new double[n * cout * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < cout; o++) {
                int group = o / coutPerGroup;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int ci = 0; ci < cinPerGroup; ci++) {
                            int ch = group * cinPerGroup + ci;
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int yy = i * sh - ph + u * dh, xx = j * sw - pw + v * dw;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                                    s += wt[((o * cinPerGroup + ci) * kh + u) * kw + v] * x[((b * c + ch) * h + yy) * w + xx];
                                }
                            }
                        }
                        y[((b * cout + o) * oh + i) * ow + j] = s;
                    }
                }
            }
        }
        return y;
    }

    /**
     * Pooling output size from torch.nn.MaxPool2d's documentation: floor or ceil of (in + 2p - k) / s, plus one;
     * in ceil mode the last window is dropped if it would start in the right padding.
     */
    static int poolOut(int in, int k, int s, int p, boolean ceil) {
        double q = (in + 2.0 * p - k) / s;
        int out = (int) (ceil ? Math.ceil(q) : Math.floor(q)) + 1;
        if (ceil && (out - 1) * s >= in + p) out--;
        return out;
    }

    /** Max over each window's real pixels; the first maximum in row-major order wins; any NaN makes the result NaN. */
    static double[] maxPool2d(double[] x, int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, boolean ceil) {
        int oh = poolOut(h, kh, sh, ph, ceil), ow = poolOut(w, kw, sw, pw, ceil);
        double[] y = new double[n * c * oh * ow];
        for (int plane = 0; plane < n * c; plane++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double best = Double.NEGATIVE_INFINITY;
                    boolean nan = false;
                    for (int u = 0; u < kh; u++) {
                        for (int v = 0; v < kw; v++) {
                            int yy = i * sh - ph + u, xx = j * sw - pw + v;
                            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                            double val = x[(plane * h + yy) * w + xx];
                            if (Double.isNaN(val)) nan = true;
                            if (val > best) best = val;
                        }
                    }
                    y[(plane * oh + i) * ow + j] = nan ? Double.NaN : best;
                }
            }
        }
        return y;
    }

    /**
     * Average over each window. The divisor, as in PyTorch: with countIncludePad, the window clipped to the padded
     * input (padding counts, whatever lies beyond the padding in ceil mode does not); otherwise the number of real
     * pixels in the window.
     */
    static double[] avgPool2d(double[] x, int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
                              boolean ceil, boolean countIncludePad) {
        int oh = poolOut(h, kh, sh, ph, ceil), ow = poolOut(w, kw, sw, pw, ceil);
        double[] y = new double[n * c * oh * ow];
        for (int plane = 0; plane < n * c; plane++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double sum = 0;
                    int real = 0, inPadded = 0;
                    for (int u = 0; u < kh; u++) {
                        for (int v = 0; v < kw; v++) {
                            int yy = i * sh - ph + u, xx = j * sw - pw + v;
                            if (yy < h + ph && xx < w + pw) inPadded++; // windows never start before -pad
                            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                            sum += x[(plane * h + yy) * w + xx];
                            real++;
                        }
                    }
                    y[(plane * oh + i) * ow + j] = sum / (countIncludePad ? inPadded : real);
                }
            }
        }
        return y;
    }
}
