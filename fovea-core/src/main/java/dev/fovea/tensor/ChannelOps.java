package dev.fovea.tensor;

import dev.fovea.kernels.Arena;
import dev.fovea.kernels.Buf;

/**
 * Operations on the channel dimension: maxout and the gated linear unit, which combine groups of channels into one,
 * and the zero-channel padding of ResNet's parameter-free shortcut; each forward beside its backward.
 */
public final class ChannelOps {
    private ChannelOps() {}

    /**
     * Maxout (Goodfellow et al. 2013) over the channel dimension: {@code N x (C*pieces) x ...} to {@code N x C x ...},
     * where output channel {@code c} is the element-wise maximum of the {@code pieces} <em>consecutive</em> input
     * channels {@code c*pieces .. c*pieces + pieces - 1}. This is {@code x.view(N, C, pieces, ...).max(dim=2)} in
     * PyTorch (which has no maxout layer of its own). The gradient goes to the first maximum on ties; a NaN wins, as
     * in {@code torch.max}. Any input of rank 2 or more works (N x C*pieces for fully connected maxout).
     */
    public static Tensor maxout(Tensor x, int pieces) {
        if (x.dim() < 2) throw new IllegalArgumentException("maxout: input must be N x C x ..., got shape " + Shapes.str(x.shape));
        if (pieces < 1) throw new IllegalArgumentException("maxout: pieces must be positive, got " + pieces);
        int n = x.shape[0], cin = x.shape[1];
        if (cin % pieces != 0) {
            throw new IllegalArgumentException("maxout: " + cin + " channels cannot be cut into groups of " + pieces + " pieces (input shape " + Shapes.str(x.shape) + ")");
        }
        int c = cin / pieces, inner = x.numel() / Math.max(1, n * cin);
        int[] shape = x.shape.clone();
        shape[1] = c;
        Tensor xc = x.contiguous();
        Buf xb = xc.buf;
        Tensor y = new Tensor(xb.like(n * c * inner), shape);
        int[] arg = Arena.intsForOverwrite(n * c * inner);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int out = (i * c + ch) * inner, first = (i * cin + ch * pieces) * inner;
                for (int p = 0; p < inner; p++) {
                    int best = first + p;
                    double bv = xb.get(best);
                    for (int q = 1; q < pieces && !Double.isNaN(bv); q++) {
                        int at = first + q * inner + p;
                        double v = xb.get(at);
                        if (v > bv || Double.isNaN(v)) {
                            bv = v;
                            best = at;
                        }
                    }
                    arg[out + p] = best;
                    y.buf.set(out + p, bv);
                }
            }
        }
        int[] inShape = x.shape;
        return Node.record(y, "maxout", gy -> {
            Tensor g = gy.contiguous();
            Tensor gx = new Tensor(g.buf.like(Shapes.numel(inShape)), inShape);
            for (int j = 0; j < arg.length; j++) gx.buf.add(arg[j], g.buf.get(j));
            return new Tensor[] {gx};
        }, x);
    }

    /**
     * Every {@code stride}-th pixel of every channel (pixels (0, 0), (0, stride), ...), with {@code before} zero
     * channels in front and {@code after} behind: N x C x H x W to N x (before + C + after) x ceil(H / stride) x
     * ceil(W / stride). This is ResNet's option-A shortcut, {@code F.pad(x[:, :, ::s, ::s], (0, 0, 0, 0, before,
     * after))} in PyTorch, in one pass: as a 1x1 max pooling and two concatenations it made three tensors and 5% of
     * a ResNet-20 profile. The gradient is gy's middle channels scattered back to the sampled pixels.
     */
    public static Tensor subsamplePadChannels(Tensor x, int stride, int before, int after) {
        if (x.dim() != 4) throw new IllegalArgumentException("subsamplePadChannels: input must be N x C x H x W, got shape " + Shapes.str(x.shape));
        if (stride < 1 || before < 0 || after < 0) {
            throw new IllegalArgumentException("subsamplePadChannels: need stride >= 1 and padding >= 0, got stride " + stride + ", padding " + before + " and " + after);
        }
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        int oh = (h + stride - 1) / stride, ow = (w + stride - 1) / stride, cout = before + c + after;
        Tensor xc = x.contiguous();
        Tensor y = new Tensor(xc.buf.like(n * cout * oh * ow), new int[] {n, cout, oh, ow});
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int src = (i * c + ch) * h * w, dst = (i * cout + before + ch) * oh * ow;
                for (int r = 0; r < oh; r++) {
                    for (int q = 0; q < ow; q++) y.buf.set(dst + r * ow + q, xc.buf.get(src + r * stride * w + q * stride));
                }
            }
        }
        int[] inShape = x.shape;
        return Node.record(y, "subsample_pad_channels", gy -> {
            Tensor g = gy.contiguous();
            Tensor gx = new Tensor(g.buf.like(Shapes.numel(inShape)), inShape);
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    int dst = (i * c + ch) * h * w, src = (i * cout + before + ch) * oh * ow;
                    for (int r = 0; r < oh; r++) {
                        for (int q = 0; q < ow; q++) gx.buf.set(dst + r * stride * w + q * stride, g.buf.get(src + r * ow + q));
                    }
                }
            }
            return new Tensor[] {gx};
        }, x);
    }

    /**
     * The gated linear unit, {@code torch.nn.functional.glu}: split {@code x} into halves {@code a} (first) and
     * {@code b} (second) along {@code dim}, which must have even size, and return {@code a * sigmoid(b)}.
     * Gradients: {@code da = g * sigmoid(b)}, {@code db = g * a * sigmoid(b) * (1 - sigmoid(b))}.
     */
    public static Tensor glu(Tensor x, int dim) {
        if (x.dim() < 1) throw new IllegalArgumentException("glu: input must have at least one dimension");
        int d = Shapes.normDim(dim, x.shape.length);
        int size = x.shape[d];
        if (size % 2 != 0) {
            throw new IllegalArgumentException("glu: dimension " + d + " of shape " + Shapes.str(x.shape) + " has odd size " + size + "; it must split into two halves");
        }
        int half = size / 2, outerSize = 1, inner = 1;
        for (int i = 0; i < d; i++) outerSize *= x.shape[i];
        for (int i = d + 1; i < x.shape.length; i++) inner *= x.shape[i];
        int outer = outerSize;
        int[] shape = x.shape.clone();
        shape[d] = half;
        int block = half * inner;
        Tensor xc = x.contiguous();
        Buf xb = xc.buf;
        Tensor y = new Tensor(xb.like(outer * block), shape);
        Tensor sig = new Tensor(xb.like(outer * block), shape);
        for (int o = 0; o < outer; o++) {
            int a0 = o * 2 * block, b0 = a0 + block, y0 = o * block;
            for (int p = 0; p < block; p++) {
                double s = sigmoid(xb.get(b0 + p));
                sig.buf.set(y0 + p, s);
                y.buf.set(y0 + p, xb.get(a0 + p) * s);
            }
        }
        int[] inShape = x.shape;
        return Node.record(y, "glu", gy -> {
            Tensor g = gy.contiguous();
            Tensor gx = new Tensor(g.buf.like(Shapes.numel(inShape)), inShape);
            for (int o = 0; o < outer; o++) {
                int a0 = o * 2 * block, b0 = a0 + block, y0 = o * block;
                for (int p = 0; p < block; p++) {
                    double gv = g.buf.get(y0 + p), s = sig.buf.get(y0 + p);
                    gx.buf.set(a0 + p, gv * s);
                    gx.buf.set(b0 + p, gv * xb.get(a0 + p) * s * (1 - s));
                }
            }
            return new Tensor[] {gx};
        }, x);
    }

    /** 1/(1+e^-v) for v >= 0 and e^v/(1+e^v) otherwise, so neither side overflows (as {@link Activations#sigmoid}). */
    static double sigmoid(double v) {
        return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    }
}
