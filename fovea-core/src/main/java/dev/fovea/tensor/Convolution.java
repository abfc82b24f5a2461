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
 *                 or, with stride 1 and wide layers, conv(dy[g] padded by d(k-1)-p, W[g] flipped and transposed)
 * </pre>
 */
public final class Convolution {
    private Convolution() {}

    /**
     * The most numbers one column matrix may hold: 1 MB in float32, the size of this machine's L2 cache, so that
     * the GEMM reads back from cache what im2col has just written (at 16 MB the column matrix streamed through
     * memory and the 3x3 passes ran 35% slower). Tests lower it to exercise chunking.
     */
    static int colBudget = 1 << 18;

    /** Tests pick the input-gradient route: off forces col2im, always forces the convolution of dy (see backward). */
    static boolean inputGradByConvolution = true, inputGradByConvolutionAlways;

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
        Tensor y = new Tensor(xc.buf.likeForOverwrite(n * cout * opix), new int[] {n, cout, oh, ow});
        forward(xc.buf, n, c, wc.buf, cout, groups, s, bc == null ? null : bc.buf, y.buf);
        return Node.record(y, "conv2d", gy -> {
            Buf g = gy.contiguous().buf;
            Tensor gw = w.requiresGrad() ? new Tensor(g.like(wc.numel()), w.shape) : null;
            Tensor gb = b != null && b.requiresGrad() ? new Tensor(g.like(cout), b.shape) : null;
            // With stride 1 the input gradient is itself a convolution: of dy, padded by d(k-1)-p, with the kernels
            // flipped and their in/out channels swapped. That runs as the forward pass does (im2col of og channels,
            // then a GEMM of cg rows), instead of a GEMM whose k is only og followed by col2im. Measured on the
            // ResNet-20 shapes it pays when og is small and cg is not: 16 -> 16 channels 19 ms -> 14 ms per batch
            // of 128, even at 32, and 4x slower for LeNet-5's 1 -> 6 and 6 -> 16 (a GEMM of 1 or 6 rows).
            // Without a column matrix (Kernels.convDirect) the convolution of dy also pays for wider og: 32 -> 32
            // channels at 16x16, 23.4 ms -> 22.2 per batch of 128.
            boolean possible = x.requiresGrad() && inputGradByConvolution && s.sh() == 1 && s.sw() == 1
                    && s.ph() <= s.dh() * (kh - 1) && s.pw() <= s.dw() * (kw - 1);
            ConvShape t = possible ? new ConvShape(og, oh, ow, kh, kw, 1, 1, s.dh() * (kh - 1) - s.ph(), s.dw() * (kw - 1) - s.pw(), s.dh(), s.dw()) : null;
            boolean direct = possible && (inputGradByConvolutionAlways || cg >= 16 && (og <= 24 || k.convDirect(t, g)));
            // The convolution of dy writes every element of gx; col2im adds into it, so needs zeros.
            Tensor gx = !x.requiresGrad() ? null : new Tensor(direct ? g.likeForOverwrite(n * c * plane) : g.like(n * c * plane), x.shape);
            if (direct) {
                forward(g, n, cout, flipped(wc.buf, groups, og, cg, kh, kw), c, groups, t, null, gx.buf);
            }
            Tensor gxs = direct ? null : gx;
            int parts = Parallel.parts(n);
            // Weight and bias gradients are summed per part, then added up in part order: repeatable results.
            Buf[] gwPart = new Buf[parts], gbPart = new Buf[parts];
            boolean directWeights = gw != null && gxs == null && k.convDirect(s, g);
            Parallel.forRanges(n, (part, from, to) -> {
                // Buf.allocate, not like(): these run on whichever thread takes the part, and only the caller's
                // may use its arena, so what the arena is asked for would depend on the split.
                Buf gwp = gw != null ? Buf.allocate(wc.numel(), g.isDouble()) : null, gbp = gb != null ? Buf.allocate(cout, g.isDouble()) : null;
                if (directWeights) {
                    for (int gr = 0; gr < groups; gr++) {
                        k.convWeightGrad(xc.buf, (from * c + gr * cg) * plane, c * plane, to - from, s, g, (from * cout + gr * og) * opix, cout * opix, og,
                                gwp, gr * og * rows);
                    }
                } else {
                    columnGradients(g, xc.buf, wc.buf, gxs == null ? null : gxs.buf, gwp, from, to, c, cout, groups, s, k);
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

    /**
     * The backward pass through the column matrix for images [from, to): gw += dy . im2col(x)^T (when gw is not
     * null) and gx = col2im(W^T . dy) (when gx is not null), nb images side by side within colBudget.
     */
    private static void columnGradients(Buf g, Buf x, Buf w, Buf gx, Buf gw, int from, int to, int c, int cout, int groups, ConvShape s, Kernels k) {
        int cg = c / groups, og = cout / groups, rows = s.colRows(), plane = s.h() * s.w(), opix = s.outH() * s.outW();
        int nb = Math.max(1, Math.min(to - from, colBudget / Math.max(1, rows * opix)));
        Buf col = Workspace.get(g, 0, rows * nb * opix), gys = Workspace.get(g, 1, og * nb * opix);
        Buf gcol = gx != null ? Workspace.get(g, 2, rows * nb * opix) : null;
        for (int i0 = from; i0 < to; i0 += nb) {
            int cnt = Math.min(nb, to - i0), ld = cnt * opix;
            for (int gr = 0; gr < groups && (gw != null || gcol != null); gr++) {
                for (int o = 0; o < og; o++) {
                    for (int j = 0; j < cnt; j++) gys.copyFrom(g, ((i0 + j) * cout + gr * og + o) * opix, o * ld + j * opix, opix);
                }
                if (gw != null) {
                    for (int j = 0; j < cnt; j++) k.im2col(x, ((i0 + j) * c + gr * cg) * plane, s, col, j * opix, ld);
                    k.gemm(false, true, og, rows, ld, 1, gys, 0, ld, col, 0, ld, 1, gw, gr * og * rows, rows);
                }
                if (gcol != null) {
                    k.gemm(true, false, rows, ld, og, 1, w, gr * og * rows, rows, gys, 0, ld, 0, gcol, 0, ld);
                    for (int j = 0; j < cnt; j++) k.col2im(gcol, j * opix, s, gx, ((i0 + j) * c + gr * cg) * plane, ld);
                }
            }
        }
    }

    /** Plain forward pass on buffers: y = conv(x, w) + b, for n images of c channels; s describes one group. */
    static void forward(Buf x, int n, int c, Buf w, int cout, int groups, ConvShape s, Buf b, Buf y) {
        Kernels k = Kernels.active();
        int cg = c / groups, og = cout / groups, rows = s.colRows(), plane = s.h() * s.w(), opix = s.outH() * s.outW();
        // The batch is split over the cores; within a part, images are unrolled side by side, nb at a time, so
        // each GEMM is wide enough to run at full speed and shares its packing, with the column matrix kept
        // within colBudget numbers.
        if (k.convDirect(s, x)) {
            Parallel.forRanges(n, (part, from, to) -> {
                for (int g = 0; g < groups; g++) {
                    k.convForward(x, (from * c + g * cg) * plane, c * plane, to - from, s, w, g * og * rows, og, y, (from * cout + g * og) * opix, cout * opix);
                }
                addBias(b, y, from, to, cout, opix);
            });
            return;
        }
        Parallel.forRanges(n, (part, from, to) -> {
            int nb = Math.max(1, Math.min(to - from, colBudget / Math.max(1, rows * opix)));
            Buf col = Workspace.get(x, 0, rows * nb * opix);
            Buf tmp = Workspace.get(x, 1, og * nb * opix);
            for (int i0 = from; i0 < to; i0 += nb) {
                int cnt = Math.min(nb, to - i0), ld = cnt * opix;
                for (int g = 0; g < groups; g++) {
                    for (int j = 0; j < cnt; j++) k.im2col(x, ((i0 + j) * c + g * cg) * plane, s, col, j * opix, ld);
                    if (cnt == 1) {
                        k.gemm(false, false, og, ld, rows, 1, w, g * og * rows, rows, col, 0, ld, 0, y, (i0 * cout + g * og) * opix, ld);
                        continue;
                    }
                    k.gemm(false, false, og, ld, rows, 1, w, g * og * rows, rows, col, 0, ld, 0, tmp, 0, ld);
                    for (int o = 0; o < og; o++) {
                        for (int j = 0; j < cnt; j++) y.copyFrom(tmp, o * ld + j * opix, ((i0 + j) * cout + g * og + o) * opix, opix);
                    }
                }
            }
            addBias(b, y, from, to, cout, opix);
        });
    }

    private static void addBias(Buf b, Buf y, int from, int to, int cout, int opix) {
        if (b == null) return;
        for (int i = from; i < to; i++) {
            for (int o = 0; o < cout; o++) {
                double bv = b.get(o);
                int base = (i * cout + o) * opix;
                for (int p = 0; p < opix; p++) y.add(base + p, bv);
            }
        }
    }

    /**
     * The kernels of the input-gradient convolution: per group, w'[c][o][i][j] = w[o][c][kh-1-i][kw-1-j], so
     * weight (groups*og) x cg x kh x kw becomes (groups*cg) x og x kh x kw.
     */
    static Buf flipped(Buf w, int groups, int og, int cg, int kh, int kw) {
        Buf f = w.like(w.length());
        int kk = kh * kw;
        for (int g = 0; g < groups; g++) {
            for (int o = 0; o < og; o++) {
                for (int ci = 0; ci < cg; ci++) {
                    int src = ((g * og + o) * cg + ci) * kk, dst = ((g * cg + ci) * og + o) * kk;
                    for (int q = 0; q < kk; q++) f.set(dst + kk - 1 - q, w.get(src + q));
                }
            }
        }
        return f;
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
