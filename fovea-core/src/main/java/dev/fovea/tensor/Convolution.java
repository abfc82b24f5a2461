package dev.fovea.tensor;

import dev.fovea.kernels.Buf;
import dev.fovea.kernels.ConvShape;
import dev.fovea.kernels.Kernels;
import dev.fovea.kernels.Parallel;
import dev.fovea.kernels.Workspace;

/**
 * 2-D convolution (cross-correlation, as in every deep-learning library) with stride, zero padding, dilation and
 * groups, by im2col + GEMM over groups of images side by side, per channel group. Forward and both backward passes sit side by side:
 * <pre>
 *   forward:      y[g]   = W[g] . im2col(x[g]) + b
 *   weight grad:  dW[g] += dy[g] . im2col(x[g])^T
 *   input grad:   dx[g]  = col2im(W[g]^T . dy[g])
 * </pre>
 */
public final class Convolution {
    private Convolution() {}

    /** The most numbers one column matrix may hold (16 MB in float32); tests lower it to exercise chunking. */
    static int colBudget = 1 << 22;

    /**
     * @param x input, N x C x H x W
     * @param w weight, Cout x C/groups x kh x kw
     * @param b bias of Cout, or null
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation, int groups) {
        if (x.dim() != 4) throw new IllegalArgumentException("conv2d: input must be N x C x H x W, got shape " + Shapes.str(x.shape));
        if (w.dim() != 4) throw new IllegalArgumentException("conv2d: weight must be Cout x Cin/groups x kh x kw, got shape " + Shapes.str(w.shape));
        for (int[] pair : new int[][] {stride, padding, dilation}) {
            if (pair == null || pair.length != 2) throw new IllegalArgumentException("conv2d: stride, padding and dilation need 2 values (height, width) each");
        }
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
        int cout = w.shape[0], kh = w.shape[2], kw = w.shape[3];
        if (groups < 1 || c % groups != 0 || cout % groups != 0) {
            throw new IllegalArgumentException("conv2d: groups=" + groups + " must divide input channels " + c + " and output channels " + cout);
        }
        int cg = c / groups, og = cout / groups;
        if (w.shape[1] != cg) {
            throw new IllegalArgumentException("conv2d: input has " + c + " channels (" + cg + " per group) but the weight " + Shapes.str(w.shape) + " expects " + w.shape[1] + " per group");
        }
        if (b != null && (b.dim() != 1 || b.shape[0] != cout)) {
            throw new IllegalArgumentException("conv2d: bias of shape " + Shapes.str(b.shape) + " for " + cout + " output channels");
        }
        ConvShape s = new ConvShape(cg, h, wd, kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
        int oh = s.outH(), ow = s.outW();
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("conv2d: input " + h + "x" + wd + " is too small for kernel " + kh + "x" + kw
                    + " with padding " + padding[0] + "x" + padding[1] + " and dilation " + dilation[0] + "x" + dilation[1] + " (output would be " + oh + "x" + ow + ")");
        }
        Tensor xc = x.contiguous(), wc = w.contiguous(), bc = b == null ? null : b.contiguous();
        Kernels k = Kernels.active();
        int rows = s.colRows(), plane = h * wd, opix = oh * ow;
        Tensor y = new Tensor(xc.buf.like(n * cout * opix), new int[] {n, cout, oh, ow});
        // The batch is split over the cores; within a part, images are unrolled side by side, nb at a time, so
        // each GEMM is wide enough to run at full speed and shares its packing, with the column matrix kept
        // within colBudget numbers.
        Parallel.forRanges(n, (part, from, to) -> {
            int nb = Math.max(1, Math.min(to - from, colBudget / Math.max(1, rows * opix)));
            Buf col = Workspace.get(xc.buf, 0, rows * nb * opix);
            Buf tmp = Workspace.get(xc.buf, 1, og * nb * opix);
            for (int i0 = from; i0 < to; i0 += nb) {
                int cnt = Math.min(nb, to - i0), ld = cnt * opix;
                for (int g = 0; g < groups; g++) {
                    for (int j = 0; j < cnt; j++) k.im2col(xc.buf, ((i0 + j) * c + g * cg) * plane, s, col, j * opix, ld);
                    if (cnt == 1) {
                        k.gemm(false, false, og, ld, rows, 1, wc.buf, g * og * rows, rows, col, 0, ld, 0, y.buf, (i0 * cout + g * og) * opix, ld);
                        continue;
                    }
                    k.gemm(false, false, og, ld, rows, 1, wc.buf, g * og * rows, rows, col, 0, ld, 0, tmp, 0, ld);
                    for (int o = 0; o < og; o++) {
                        for (int j = 0; j < cnt; j++) y.buf.copyFrom(tmp, o * ld + j * opix, ((i0 + j) * cout + g * og + o) * opix, opix);
                    }
                }
            }
            if (bc != null) {
                for (int i = from; i < to; i++) {
                    for (int o = 0; o < cout; o++) {
                        double bv = bc.buf.get(o);
                        int base = (i * cout + o) * opix;
                        for (int p = 0; p < opix; p++) y.buf.add(base + p, bv);
                    }
                }
            }
        });
        return Node.record(y, "conv2d", gy -> {
            Buf g = gy.contiguous().buf;
            Tensor gx = x.requiresGrad() ? new Tensor(g.like(n * c * plane), x.shape) : null;
            Tensor gw = w.requiresGrad() ? new Tensor(g.like(wc.numel()), w.shape) : null;
            Tensor gb = b != null && b.requiresGrad() ? new Tensor(g.like(cout), b.shape) : null;
            int parts = Parallel.parts(n);
            // Weight and bias gradients are summed per part, then added up in part order: repeatable results.
            Buf[] gwPart = new Buf[parts], gbPart = new Buf[parts];
            Parallel.forRanges(n, (part, from, to) -> {
                int nb = Math.max(1, Math.min(to - from, colBudget / Math.max(1, rows * opix)));
                Buf col = Workspace.get(g, 0, rows * nb * opix), gys = Workspace.get(g, 1, og * nb * opix);
                Buf gcol = gx != null ? Workspace.get(g, 2, rows * nb * opix) : null;
                Buf gwp = gw != null ? g.like(wc.numel()) : null, gbp = gb != null ? g.like(cout) : null;
                for (int i0 = from; i0 < to; i0 += nb) {
                    int cnt = Math.min(nb, to - i0), ld = cnt * opix;
                    for (int gr = 0; gr < groups; gr++) {
                        for (int o = 0; o < og; o++) {
                            for (int j = 0; j < cnt; j++) gys.copyFrom(g, ((i0 + j) * cout + gr * og + o) * opix, o * ld + j * opix, opix);
                        }
                        if (gwp != null) {
                            for (int j = 0; j < cnt; j++) k.im2col(xc.buf, ((i0 + j) * c + gr * cg) * plane, s, col, j * opix, ld);
                            k.gemm(false, true, og, rows, ld, 1, gys, 0, ld, col, 0, ld, 1, gwp, gr * og * rows, rows);
                        }
                        if (gcol != null) {
                            k.gemm(true, false, rows, ld, og, 1, wc.buf, gr * og * rows, rows, gys, 0, ld, 0, gcol, 0, ld);
                            for (int j = 0; j < cnt; j++) k.col2im(gcol, j * opix, s, gx.buf, ((i0 + j) * c + gr * cg) * plane, ld);
                        }
                    }
                }
                if (gbp != null) Convolution.addBiasGradient(g, from, to, cout, opix, gbp);
                gwPart[part] = gwp;
                gbPart[part] = gbp;
            });
            Convolution.addParts(gw, gwPart);
            Convolution.addParts(gb, gbPart);
            return new Tensor[] {gx, gw, gb};
        }, x, w, b);
    }

    /** gb[o] += the sum of dy over images [from, to) and all pixels of channel o. */
    static void addBiasGradient(Buf g, int from, int to, int cout, int opix, Buf gb) {
        for (int i = from; i < to; i++) {
            for (int o = 0; o < cout; o++) {
                double sum = 0;
                int base = (i * cout + o) * opix;
                for (int p = 0; p < opix; p++) sum += g.get(base + p);
                gb.add(o, sum);
            }
        }
    }

    /** Adds per-part partial gradients into {@code target} in part order, so the result does not depend on timing. */
    static void addParts(Tensor target, Buf[] parts) {
        if (target == null) return;
        for (Buf part : parts) {
            for (int i = 0, len = target.numel(); i < len; i++) target.buf.add(i, part.get(i));
        }
    }
}
