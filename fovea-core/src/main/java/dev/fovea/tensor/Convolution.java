package dev.fovea.tensor;

import dev.fovea.kernels.Buf;
import dev.fovea.kernels.ConvShape;
import dev.fovea.kernels.Kernels;

/**
 * 2-D convolution (cross-correlation, as in every deep-learning library) with stride, zero padding, dilation and
 * groups, by im2col + GEMM per image and group. Forward and both backward passes sit side by side:
 * <pre>
 *   forward:      y[g]   = W[g] . im2col(x[g]) + b
 *   weight grad:  dW[g] += dy[g] . im2col(x[g])^T
 *   input grad:   dx[g]  = col2im(W[g]^T . dy[g])
 * </pre>
 */
public final class Convolution {
    private Convolution() {}

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
        int rows = s.colRows(), cols = s.colCols(), plane = h * wd, opix = oh * ow;
        Buf col = xc.buf.like(rows * cols);
        Tensor y = new Tensor(xc.buf.like(n * cout * opix), new int[] {n, cout, oh, ow});
        for (int i = 0; i < n; i++) {
            for (int g = 0; g < groups; g++) {
                k.im2col(xc.buf, (i * c + g * cg) * plane, s, col, 0);
                k.gemm(false, false, og, cols, rows, 1, wc.buf, g * og * rows, rows, col, 0, cols, 0, y.buf, (i * cout + g * og) * opix, cols);
            }
            if (bc != null) {
                for (int o = 0; o < cout; o++) {
                    double bv = bc.buf.get(o);
                    int base = (i * cout + o) * opix;
                    for (int p = 0; p < opix; p++) y.buf.add(base + p, bv);
                }
            }
        }
        return Node.record(y, "conv2d", gy -> {
            Buf g = gy.contiguous().buf;
            Tensor gx = x.requiresGrad() ? new Tensor(g.like(n * c * plane), x.shape) : null;
            Tensor gw = w.requiresGrad() ? new Tensor(g.like(wc.numel()), w.shape) : null;
            Tensor gb = b != null && b.requiresGrad() ? new Tensor(g.like(cout), b.shape) : null;
            Buf gcol = g.like(rows * cols);
            for (int i = 0; i < n; i++) {
                for (int gr = 0; gr < groups; gr++) {
                    int gyOff = (i * cout + gr * og) * opix;
                    if (gw != null) {
                        k.im2col(xc.buf, (i * c + gr * cg) * plane, s, col, 0);
                        k.gemm(false, true, og, rows, cols, 1, g, gyOff, cols, col, 0, cols, 1, gw.buf, gr * og * rows, rows);
                    }
                    if (gx != null) {
                        k.gemm(true, false, rows, cols, og, 1, wc.buf, gr * og * rows, rows, g, gyOff, cols, 0, gcol, 0, cols);
                        k.col2im(gcol, 0, s, gx.buf, (i * c + gr * cg) * plane);
                    }
                }
                if (gb != null) {
                    for (int o = 0; o < cout; o++) {
                        double sum = 0;
                        int base = (i * cout + o) * opix;
                        for (int p = 0; p < opix; p++) sum += g.get(base + p);
                        gb.buf.add(o, sum);
                    }
                }
            }
            return new Tensor[] {gx, gw, gb};
        }, x, w, b);
    }
}
