package dev.fovea.tensor;

import dev.fovea.kernels.Buf;
import dev.fovea.kernels.Parallel;

/**
 * Local response normalisation across channels, as {@code torch.nn.functional.local_response_norm}: for an input
 * {@code a} of shape N x C x ... (rank 3 or more, as PyTorch requires),
 * <pre>
 *   b_c = a_c / (k + alpha / size * sum_{c' = max(0, c - size/2)}^{min(C-1, c + (size-1)/2)} a_{c'}^2)^beta
 * </pre>
 * at every batch index and position. The window of {@code size} channels is centred on {@code c}; PyTorch pads
 * the channel axis with {@code size/2} zeros before and {@code (size-1)/2} after (integer division), so for an
 * even size the window reaches one channel further back than forward.
 *
 * <p><b>The alpha convention.</b> PyTorch (like Caffe) divides {@code alpha} by {@code size}: the sum of squares is
 * averaged over the window length. The AlexNet paper (Krizhevsky et al. 2012, section 3.3) writes
 * {@code (k + alpha * sum a^2)^beta} with no division, and reports k = 2, n = 5, alpha = 1e-4, beta = 0.75.
 * This operation follows PyTorch, so {@code localResponseNorm(x, 5, 1e-4, 0.75, 2)} is what
 * {@code torch.nn.LocalResponseNorm(5, 1e-4, 0.75, 2)} computes; to reproduce the paper's formula exactly, pass
 * {@code alpha * size}.
 *
 * <p>Backward, with {@code s_c} the denominator's base {@code k + alpha/size * sum}:
 * <pre>
 *   da_j = g_j * s_j^-beta  -  (2 * alpha * beta / size) * a_j * sum_{c : j in window(c)} g_c * a_c * s_c^(-beta-1)
 * </pre>
 * where {@code j} is in {@code c}'s window exactly when {@code j - (size-1)/2 <= c <= j + size/2}.
 */
public final class LocalResponseNormalization {
    private LocalResponseNormalization() {}

    public static Tensor localResponseNorm(Tensor x, int size, double alpha, double beta, double k) {
        String op = "local_response_norm";
        if (x.dim() < 3) throw new IllegalArgumentException(op + ": input must be N x C x ... with at least 3 dimensions (as in PyTorch), got shape " + Shapes.str(x.shape));
        if (size < 1) throw new IllegalArgumentException(op + ": size must be positive, got " + size);
        int n = x.shape[0], c = x.shape[1];
        int inner = x.numel() / Math.max(1, n * c);
        int before = size / 2, after = (size - 1) / 2;
        double scale = alpha / size;
        Tensor xc = x.contiguous();
        Buf xb = xc.buf;
        Tensor y = new Tensor(xb.like(xc.numel()), x.shape);
        Tensor base = new Tensor(xb.like(xc.numel()), x.shape); // s_c, saved for backward
        // Images are independent: the batch is split over the cores.
        Parallel.forRanges(n, (part, from, to) -> {
            double[] acc = new double[inner];
            for (int i = from; i < to; i++) {
                int img = i * c * inner;
                for (int ch = 0; ch < c; ch++) {
                    windowSum(xb, img, inner, Math.max(0, ch - before), Math.min(c - 1, ch + after), true, acc);
                    int off = img + ch * inner;
                    for (int p = 0; p < inner; p++) {
                        double s = k + scale * acc[p];
                        base.buf.set(off + p, s);
                        y.buf.set(off + p, xb.get(off + p) * Math.pow(s, -beta));
                    }
                }
            }
        });
        return Node.record(y, op, gy -> {
            Tensor g = gy.contiguous();
            Buf gb = g.buf, sb = base.buf;
            Tensor gx = new Tensor(gb.like(g.numel()), x.shape);
            double factor = 2 * scale * beta;
            Parallel.forRanges(n, (part, from, to) -> {
                Buf t = Buf.allocate(c * inner, true);
                double[] acc = new double[inner];
                for (int i = from; i < to; i++) {
                    int img = i * c * inner;
                    // t_c = g_c * a_c * s_c^(-beta-1), then for each j the sum of t over the channels whose window holds j.
                    for (int q = 0; q < c * inner; q++) {
                        t.set(q, gb.get(img + q) * xb.get(img + q) * Math.pow(sb.get(img + q), -beta - 1));
                    }
                    for (int j = 0; j < c; j++) {
                        windowSum(t, 0, inner, Math.max(0, j - after), Math.min(c - 1, j + before), false, acc);
                        int off = img + j * inner;
                        for (int p = 0; p < inner; p++) {
                            gx.buf.set(off + p, gb.get(off + p) * Math.pow(sb.get(off + p), -beta) - factor * xb.get(off + p) * acc[p]);
                        }
                    }
                }
            });
            return new Tensor[] {gx};
        }, x);
    }

    /** acc[p] = sum over channels first..last of v (or v^2) at position p, channels {@code inner} apart from {@code off}. */
    private static void windowSum(Buf v, int off, int inner, int first, int last, boolean square, double[] acc) {
        java.util.Arrays.fill(acc, 0);
        for (int cc = first; cc <= last; cc++) {
            int at = off + cc * inner;
            for (int p = 0; p < inner; p++) {
                double e = v.get(at + p);
                acc[p] += square ? e * e : e;
            }
        }
    }
}
