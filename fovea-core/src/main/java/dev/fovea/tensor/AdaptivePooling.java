package dev.fovea.tensor;

import dev.fovea.kernels.Buf;

/**
 * Adaptive average and max pooling over N x C x H x W, as {@code torch.nn.functional.adaptive_avg_pool2d} and
 * {@code adaptive_max_pool2d}: the caller chooses the output size and each output cell {@code (i, j)} pools the
 * input rows {@code [floor(i*H/outH), ceil((i+1)*H/outH))} and columns {@code [floor(j*W/outW), ceil((j+1)*W/outW))},
 * PyTorch's bin boundaries. Bins cover the whole input, may differ in size by one, and overlap when the size does
 * not divide evenly (7 to 3 gives rows [0,3), [2,5), [4,7)); an output larger than the input repeats pixels.
 * Max pooling routes each gradient to the first maximum of its bin (row-major), and a NaN wins, as in PyTorch.
 */
public final class AdaptivePooling {
    private AdaptivePooling() {}

    /** First input index of bin {@code i} of {@code out} over {@code in}: floor(i * in / out). */
    public static int binStart(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    /** One past the last input index of bin {@code i}: ceil((i + 1) * in / out). */
    public static int binEnd(int i, int in, int out) {
        return (int) (((long) (i + 1) * in + out - 1) / out);
    }

    private static void check(Tensor x, int outH, int outW, String op) {
        if (x.dim() != 4) throw new IllegalArgumentException(op + ": input must be N x C x H x W, got shape " + Shapes.str(x.shape));
        if (outH < 1 || outW < 1) throw new IllegalArgumentException(op + ": output size must be positive, got " + outH + "x" + outW);
        if (x.shape[2] < 1 || x.shape[3] < 1) throw new IllegalArgumentException(op + ": empty input " + Shapes.str(x.shape));
    }

    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        String op = "adaptive_avg_pool2d";
        check(x, outH, outW, op);
        int planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3];
        int[] rs = new int[outH], re = new int[outH], cs = new int[outW], ce = new int[outW];
        bins(h, outH, rs, re);
        bins(w, outW, cs, ce);
        Tensor xc = x.contiguous();
        Buf xb = xc.buf;
        Tensor y = new Tensor(xb.like(planes * outH * outW), new int[] {x.shape[0], x.shape[1], outH, outW});
        for (int pl = 0; pl < planes; pl++) {
            int in0 = pl * h * w, out0 = pl * outH * outW;
            for (int i = 0; i < outH; i++) {
                for (int j = 0; j < outW; j++) {
                    double s = 0;
                    for (int r = rs[i]; r < re[i]; r++) {
                        for (int q = cs[j]; q < ce[j]; q++) s += xb.get(in0 + r * w + q);
                    }
                    y.buf.set(out0 + i * outW + j, s / ((re[i] - rs[i]) * (ce[j] - cs[j])));
                }
            }
        }
        int[] inShape = x.shape;
        return Node.record(y, op, gy -> {
            Tensor g = gy.contiguous();
            Tensor gx = new Tensor(g.buf.like(Shapes.numel(inShape)), inShape);
            for (int pl = 0; pl < planes; pl++) {
                int in0 = pl * h * w, out0 = pl * outH * outW;
                for (int i = 0; i < outH; i++) {
                    for (int j = 0; j < outW; j++) {
                        double v = g.buf.get(out0 + i * outW + j) / ((re[i] - rs[i]) * (ce[j] - cs[j]));
                        for (int r = rs[i]; r < re[i]; r++) {
                            for (int q = cs[j]; q < ce[j]; q++) gx.buf.add(in0 + r * w + q, v);
                        }
                    }
                }
            }
            return new Tensor[] {gx};
        }, x);
    }

    public static Tensor adaptiveMaxPool2d(Tensor x, int outH, int outW) {
        String op = "adaptive_max_pool2d";
        check(x, outH, outW, op);
        int planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3];
        int[] rs = new int[outH], re = new int[outH], cs = new int[outW], ce = new int[outW];
        bins(h, outH, rs, re);
        bins(w, outW, cs, ce);
        Tensor xc = x.contiguous();
        Buf xb = xc.buf;
        Tensor y = new Tensor(xb.like(planes * outH * outW), new int[] {x.shape[0], x.shape[1], outH, outW});
        int[] arg = new int[planes * outH * outW];
        for (int pl = 0; pl < planes; pl++) {
            int in0 = pl * h * w, out0 = pl * outH * outW;
            for (int i = 0; i < outH; i++) {
                for (int j = 0; j < outW; j++) {
                    int best = -1;
                    double bv = Double.NEGATIVE_INFINITY;
                    scan:
                    for (int r = rs[i]; r < re[i]; r++) {
                        for (int q = cs[j]; q < ce[j]; q++) {
                            int at = in0 + r * w + q;
                            double v = xb.get(at);
                            if (best < 0 || v > bv || Double.isNaN(v)) {
                                best = at;
                                bv = v;
                                if (Double.isNaN(v)) break scan;
                            }
                        }
                    }
                    arg[out0 + i * outW + j] = best;
                    y.buf.set(out0 + i * outW + j, bv);
                }
            }
        }
        int[] inShape = x.shape;
        return Node.record(y, op, gy -> {
            Tensor g = gy.contiguous();
            Tensor gx = new Tensor(g.buf.like(Shapes.numel(inShape)), inShape);
            for (int o = 0; o < arg.length; o++) gx.buf.add(arg[o], g.buf.get(o));
            return new Tensor[] {gx};
        }, x);
    }

    private static void bins(int in, int out, int[] start, int[] end) {
        for (int i = 0; i < out; i++) {
            start[i] = binStart(i, in, out);
            end[i] = binEnd(i, in, out);
        }
    }
}
