package dev.fovea.tensor;

import dev.fovea.kernels.Buf;
import dev.fovea.kernels.Kernels;

/** Matrix product and the fully connected layer's y = x W^T + b, with their gradients, on the GEMM kernel. */
public final class MatMul {
    private MatMul() {}

    private static void require2d(Tensor t, String what) {
        if (t.dim() != 2) throw new IllegalArgumentException(what + " must be 2-D, got shape " + Shapes.str(t.shape));
    }

    /** C = A B for A of m x k and B of k x n. */
    public static Tensor matmul(Tensor a, Tensor b) {
        require2d(a, "matmul: left operand");
        require2d(b, "matmul: right operand");
        if (a.shape[1] != b.shape[0]) {
            throw new IllegalArgumentException("matmul: shapes " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape) + " do not chain");
        }
        int m = a.shape[0], k = a.shape[1], n = b.shape[1];
        Tensor ac = a.contiguous(), bc = b.contiguous();
        Tensor out = new Tensor(ac.buf.like(m * n), new int[] {m, n});
        Kernels.active().gemm(false, false, m, n, k, 1, ac.buf, 0, k, bc.buf, 0, n, 0, out.buf, 0, n);
        return Node.record(out, "matmul", g -> {
            Buf gb = g.contiguous().buf;
            Tensor ga = null, gbm = null;
            if (a.requiresGrad()) {
                ga = new Tensor(gb.like(m * k), new int[] {m, k});
                Kernels.active().gemm(false, true, m, k, n, 1, gb, 0, n, bc.buf, 0, n, 0, ga.buf, 0, k);
            }
            if (b.requiresGrad()) {
                gbm = new Tensor(gb.like(k * n), new int[] {k, n});
                Kernels.active().gemm(true, false, k, n, m, 1, ac.buf, 0, k, gb, 0, n, 0, gbm.buf, 0, n);
            }
            return new Tensor[] {ga, gbm};
        }, a, b);
    }

    /** y = x W^T + b for x of batch x in, W of out x in (PyTorch's layout), b of out or null. */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        require2d(x, "linear: input");
        require2d(w, "linear: weight");
        int batch = x.shape[0], in = x.shape[1], out = w.shape[0];
        if (w.shape[1] != in) {
            throw new IllegalArgumentException("linear: input has " + in + " features but the weight " + Shapes.str(w.shape) + " expects " + w.shape[1]);
        }
        if (b != null && (b.dim() != 1 || b.shape[0] != out)) {
            throw new IllegalArgumentException("linear: bias of shape " + Shapes.str(b.shape) + " for " + out + " outputs");
        }
        Tensor xc = x.contiguous(), wc = w.contiguous(), bc = b == null ? null : b.contiguous();
        Tensor y = new Tensor(xc.buf.like(batch * out), new int[] {batch, out});
        if (bc != null) {
            for (int i = 0; i < batch; i++) y.buf.copyFrom(bc.buf, 0, i * out, out);
        }
        Kernels.active().gemm(false, true, batch, out, in, 1, xc.buf, 0, in, wc.buf, 0, in, bc == null ? 0 : 1, y.buf, 0, out);
        return Node.record(y, "linear", g -> {
            Buf gb = g.contiguous().buf;
            Tensor gx = null, gw = null, gbias = null;
            if (x.requiresGrad()) {
                gx = new Tensor(gb.like(batch * in), new int[] {batch, in});
                Kernels.active().gemm(false, false, batch, in, out, 1, gb, 0, out, wc.buf, 0, in, 0, gx.buf, 0, in);
            }
            if (w.requiresGrad()) {
                gw = new Tensor(gb.like(out * in), new int[] {out, in});
                Kernels.active().gemm(true, false, out, in, batch, 1, gb, 0, out, xc.buf, 0, in, 0, gw.buf, 0, in);
            }
            if (b != null && b.requiresGrad()) {
                gbias = new Tensor(gb.like(out), new int[] {out});
                for (int i = 0; i < batch; i++) {
                    for (int j = 0; j < out; j++) gbias.buf.add(j, gb.get(i * out + j));
                }
            }
            return new Tensor[] {gx, gw, gbias};
        }, x, w, b);
    }
}
