package dev.fovea.tensor;

import dev.fovea.kernels.Buf;
import dev.fovea.kernels.ConvShape;
import dev.fovea.kernels.Kernels;
import dev.fovea.kernels.Parallel;
import dev.fovea.kernels.Workspace;

/**
 * 2-D transposed convolution ("deconvolution", fractionally strided convolution), as
 * {@code torch.nn.functional.conv_transpose2d}: the adjoint of {@link Convolution#conv2d} with respect to its input.
 * Each input pixel scatters its value, weighted by the kernel, into the output:
 * <pre>
 *   y[n][o][i*sh - ph + u*dh][j*sw - pw + v*dw] += x[n][c][i][j] * w[c][o - groupStart][u][v]    (for c in o's group)
 * </pre>
 * plus {@code b[o]}, dropping positions outside the output. The weight has PyTorch's shape
 * {@code Cin x Cout/groups x kh x kw}, and the output size per axis is PyTorch's
 * <pre>
 *   out = (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1
 * </pre>
 * So a convolution with the same geometry maps the output size back to the input size, and {@code outputPadding}
 * (which PyTorch requires to be smaller than the stride or the dilation) chooses among the output sizes that a
 * strided convolution maps to the same size: it adds rows and columns at the bottom and right only.
 *
 * <p>The three computations are a convolution's, with the roles of forward and input gradient swapped; per group
 * {@code g}, with {@code W[g]} the {@code Cin/groups x (Cout/groups * kh * kw)} matrix of the group's weights:
 * <pre>
 *   forward:      y[g]   = col2im(W[g]^T . x[g]) + b       (a convolution's input gradient)
 *   input grad:   dx[g]  = W[g] . im2col(dy[g])             (a convolution's forward)
 *   weight grad:  dW[g] += x[g] . im2col(dy[g])^T
 * </pre>
 * The column geometry is the convolution from the output back to the input. When {@code outputPadding >= stride}
 * (allowed only with a larger dilation), that convolution would see more output positions than the input has; the
 * columns then scatter into an unpadded image of exactly the reachable size, from which the output is cut.
 */
public final class TransposedConvolution {
    private TransposedConvolution() {}

    /** The most numbers one column matrix may hold (1 MB in float32, see {@link Convolution}); tests lower it. */
    static int colBudget = 1 << 18;

    /** PyTorch's output size of one axis. */
    public static int outSize(int in, int kernel, int stride, int padding, int outputPadding, int dilation) {
        return (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
    }

    /**
     * @param x input, N x Cin x H x W
     * @param w weight, Cin x Cout/groups x kh x kw (PyTorch's layout for transposed convolutions)
     * @param b bias of Cout, or null
     * @param stride (height, width), as are padding, outputPadding and dilation; the arguments come in
     *        {@code torch.nn.functional.conv_transpose2d}'s order
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] outputPadding,
                                         int groups, int[] dilation) {
        String op = "conv_transpose2d";
        if (x.dim() != 4) throw new IllegalArgumentException(op + ": input must be N x C x H x W, got shape " + Shapes.str(x.shape));
        if (w.dim() != 4) throw new IllegalArgumentException(op + ": weight must be Cin x Cout/groups x kh x kw, got shape " + Shapes.str(w.shape));
        for (int[] pair : new int[][] {stride, padding, outputPadding, dilation}) {
            if (pair == null || pair.length != 2) {
                throw new IllegalArgumentException(op + ": stride, padding, output padding and dilation need 2 values (height, width) each");
            }
        }
        int n = x.shape[0], cin = x.shape[1], h = x.shape[2], wd = x.shape[3];
        int kh = w.shape[2], kw = w.shape[3];
        if (groups < 1 || cin % groups != 0) {
            throw new IllegalArgumentException(op + ": groups=" + groups + " must divide the input channels " + cin);
        }
        if (w.shape[0] != cin) {
            throw new IllegalArgumentException(op + ": input has " + cin + " channels but the weight " + Shapes.str(w.shape) + " expects " + w.shape[0]);
        }
        int cg = cin / groups, og = w.shape[1], cout = og * groups;
        if (b != null && (b.dim() != 1 || b.shape[0] != cout)) {
            throw new IllegalArgumentException(op + ": bias of shape " + Shapes.str(b.shape) + " for " + cout + " output channels");
        }
        for (int a = 0; a < 2; a++) {
            if (stride[a] < 1 || dilation[a] < 1) throw new IllegalArgumentException(op + ": stride and dilation must be positive");
            if (padding[a] < 0 || outputPadding[a] < 0) throw new IllegalArgumentException(op + ": padding and output padding must not be negative");
            if (outputPadding[a] >= stride[a] && outputPadding[a] >= dilation[a]) {
                throw new IllegalArgumentException(op + ": output padding " + outputPadding[0] + "x" + outputPadding[1]
                        + " must be smaller than either the stride " + stride[0] + "x" + stride[1] + " or the dilation " + dilation[0] + "x" + dilation[1]);
            }
        }
        int oh = outSize(h, kh, stride[0], padding[0], outputPadding[0], dilation[0]);
        int ow = outSize(wd, kw, stride[1], padding[1], outputPadding[1], dilation[1]);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": input " + h + "x" + wd + " with kernel " + kh + "x" + kw + ", stride " + stride[0] + "x" + stride[1]
                    + " and padding " + padding[0] + "x" + padding[1] + " gives an empty output (" + oh + "x" + ow + ")");
        }
        Geometry geo = Geometry.of(og, h, wd, oh, ow, kh, kw, stride, padding, dilation);
        ConvShape s = geo.shape;
        int rows = s.colRows(), ipix = h * wd, opix = oh * ow, fpix = s.h() * s.w();
        Tensor xc = x.contiguous(), wc = w.contiguous(), bc = b == null ? null : b.contiguous();
        Kernels k = Kernels.active();
        Tensor y = new Tensor(xc.buf.like(n * cout * opix), new int[] {n, cout, oh, ow});
        Parallel.forRanges(n, (part, from, to) -> {
            int nb = Math.max(1, Math.min(to - from, colBudget / Math.max(1, rows * ipix)));
            Buf col = Workspace.get(xc.buf, 0, rows * nb * ipix);
            Buf xs = nb > 1 ? Workspace.get(xc.buf, 1, cg * nb * ipix) : null;
            Buf full = geo.cropped ? Buf.allocate(og * fpix, xc.buf.isDouble()) : null; // per part: not from the caller's arena
            for (int i0 = from; i0 < to; i0 += nb) {
                int cnt = Math.min(nb, to - i0), ld = cnt * ipix;
                for (int g = 0; g < groups; g++) {
                    Buf src = xc.buf;
                    int srcOff = (i0 * cin + g * cg) * ipix;
                    if (cnt > 1) {
                        gather(xc.buf, i0, cnt, cin, g * cg, cg, ipix, xs);
                        src = xs;
                        srcOff = 0;
                    }
                    k.gemm(true, false, rows, ld, cg, 1, wc.buf, g * cg * rows, rows, src, srcOff, ld, 0, col, 0, ld);
                    for (int j = 0; j < cnt; j++) {
                        int yOff = ((i0 + j) * cout + g * og) * opix;
                        if (!geo.cropped) {
                            k.col2im(col, j * ipix, s, y.buf, yOff, ld);
                        } else {
                            full.fill(0);
                            k.col2im(col, j * ipix, s, full, 0, ld);
                            geo.crop(full, y.buf, yOff, og);
                        }
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
        return Node.record(y, op, gy -> {
            Buf g = gy.contiguous().buf;
            Tensor gx = x.requiresGrad() ? new Tensor(g.like(n * cin * ipix), x.shape) : null;
            Tensor gw = w.requiresGrad() ? new Tensor(g.like(wc.numel()), w.shape) : null;
            Tensor gb = b != null && b.requiresGrad() ? new Tensor(g.like(cout), b.shape) : null;
            int parts = Parallel.parts(n);
            // Weight and bias gradients are summed per part, then added up in part order: repeatable results.
            Buf[] gwPart = new Buf[parts], gbPart = new Buf[parts];
            Parallel.forRanges(n, (part, from, to) -> {
                int nb = Math.max(1, Math.min(to - from, colBudget / Math.max(1, rows * ipix)));
                Buf col = Workspace.get(g, 0, rows * nb * ipix);
                Buf xs = gw != null && nb > 1 ? Workspace.get(g, 1, cg * nb * ipix) : null;
                Buf gxs = gx != null && nb > 1 ? Workspace.get(g, 2, cg * nb * ipix) : null;
                // Per part, on whichever thread runs it: not from the caller's arena (see Convolution).
                Buf full = geo.cropped ? Buf.allocate(og * fpix, g.isDouble()) : null;
                Buf gwp = gw != null ? Buf.allocate(wc.numel(), g.isDouble()) : null, gbp = gb != null ? Buf.allocate(cout, g.isDouble()) : null;
                if (gwp != null || gx != null) {
                    for (int i0 = from; i0 < to; i0 += nb) {
                        int cnt = Math.min(nb, to - i0), ld = cnt * ipix;
                        for (int gr = 0; gr < groups; gr++) {
                            for (int j = 0; j < cnt; j++) {
                                int gyOff = ((i0 + j) * cout + gr * og) * opix;
                                if (!geo.cropped) {
                                    k.im2col(g, gyOff, s, col, j * ipix, ld);
                                } else {
                                    geo.uncrop(g, gyOff, full, og);
                                    k.im2col(full, 0, s, col, j * ipix, ld);
                                }
                            }
                            if (gwp != null) {
                                Buf src = xc.buf;
                                int srcOff = (i0 * cin + gr * cg) * ipix;
                                if (cnt > 1) {
                                    gather(xc.buf, i0, cnt, cin, gr * cg, cg, ipix, xs);
                                    src = xs;
                                    srcOff = 0;
                                }
                                k.gemm(false, true, cg, rows, ld, 1, src, srcOff, ld, col, 0, ld, 1, gwp, gr * cg * rows, rows);
                            }
                            if (gx != null) {
                                if (cnt == 1) {
                                    k.gemm(false, false, cg, ld, rows, 1, wc.buf, gr * cg * rows, rows, col, 0, ld, 0, gx.buf, (i0 * cin + gr * cg) * ipix, ld);
                                } else {
                                    k.gemm(false, false, cg, ld, rows, 1, wc.buf, gr * cg * rows, rows, col, 0, ld, 0, gxs, 0, ld);
                                    for (int c = 0; c < cg; c++) {
                                        for (int j = 0; j < cnt; j++) gx.buf.copyFrom(gxs, c * ld + j * ipix, ((i0 + j) * cin + gr * cg + c) * ipix, ipix);
                                    }
                                }
                            }
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

    /** Copies channels [c0, c0 + cg) of images i0 .. i0 + cnt - 1 side by side: a cg x (cnt * pix) matrix. */
    private static void gather(Buf x, int i0, int cnt, int c, int c0, int cg, int pix, Buf dst) {
        int ld = cnt * pix;
        for (int ch = 0; ch < cg; ch++) {
            for (int j = 0; j < cnt; j++) dst.copyFrom(x, ((i0 + j) * c + c0 + ch) * pix, ch * ld + j * pix, pix);
        }
    }

    /**
     * The convolution whose input gradient is this transposed convolution. Usually it runs over the output itself
     * with the same padding; when {@code outputPadding >= stride} that convolution would have more output positions
     * than the input has pixels, so instead it runs unpadded over the reachable image
     * {@code (in - 1) * stride + dilation * (k - 1) + 1}, whose row {@code padding + r} is output row {@code r}.
     */
    private record Geometry(ConvShape shape, boolean cropped, int oh, int ow, int ph, int pw) {
        static Geometry of(int og, int h, int w, int oh, int ow, int kh, int kw, int[] s, int[] p, int[] d) {
            ConvShape direct = new ConvShape(og, oh, ow, kh, kw, s[0], s[1], p[0], p[1], d[0], d[1]);
            if (direct.outH() == h && direct.outW() == w) return new Geometry(direct, false, oh, ow, p[0], p[1]);
            int fh = (h - 1) * s[0] + d[0] * (kh - 1) + 1, fw = (w - 1) * s[1] + d[1] * (kw - 1) + 1;
            return new Geometry(new ConvShape(og, fh, fw, kh, kw, s[0], s[1], 0, 0, d[0], d[1]), true, oh, ow, p[0], p[1]);
        }

        /** Adds the output window of the reachable images (og planes) into {@code y} at {@code yOff}. */
        void crop(Buf full, Buf y, int yOff, int og) {
            int fh = shape.h(), fw = shape.w();
            for (int c = 0; c < og; c++) {
                for (int r = 0; r < oh && r + ph < fh; r++) {
                    int src = (c * fh + r + ph) * fw + pw, dst = yOff + (c * oh + r) * ow;
                    int len = Math.max(0, Math.min(ow, fw - pw));
                    for (int q = 0; q < len; q++) y.add(dst + q, full.get(src + q));
                }
            }
        }

        /** The adjoint of crop: the output gradient placed in zeroed reachable images. */
        void uncrop(Buf gy, int gyOff, Buf full, int og) {
            full.fill(0);
            int fh = shape.h(), fw = shape.w();
            for (int c = 0; c < og; c++) {
                for (int r = 0; r < oh && r + ph < fh; r++) {
                    int dst = (c * fh + r + ph) * fw + pw, src = gyOff + (c * oh + r) * ow;
                    full.copyFrom(gy, src, dst, Math.max(0, Math.min(ow, fw - pw)));
                }
            }
        }
    }
}
