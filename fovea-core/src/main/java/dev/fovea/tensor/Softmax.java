package dev.fovea.tensor;

/** Softmax and log-softmax along one dimension, computed after subtracting the maximum so large logits stay finite. */
public final class Softmax {
    private Softmax() {}

    public static Tensor softmax(Tensor x, int dim) {
        return compute(x, dim, false);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return compute(x, dim, true);
    }

    private static Tensor compute(Tensor x, int dim, boolean log) {
        int d = Shapes.normDim(dim, x.dim());
        int outer = 1, inner = 1, n = x.shape[d];
        for (int i = 0; i < d; i++) outer *= x.shape[i];
        for (int i = d + 1; i < x.dim(); i++) inner *= x.shape[i];
        Tensor xc = x.contiguous();
        Tensor y = Tensor.zerosLike(xc);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) max = Math.max(max, xc.buf.get(base + k * inner));
                double sum = 0;
                for (int k = 0; k < n; k++) sum += Math.exp(xc.buf.get(base + k * inner) - max);
                double logSum = Math.log(sum);
                for (int k = 0; k < n; k++) {
                    double z = xc.buf.get(base + k * inner) - max;
                    y.buf.set(base + k * inner, log ? z - logSum : Math.exp(z - logSum));
                }
            }
        }
        final int fOuter = outer, fInner = inner;
        return Node.record(y, log ? "log_softmax" : "softmax", gy -> {
            Tensor g = gy.contiguous();
            Tensor gx = Tensor.zerosLike(g);
            for (int o = 0; o < fOuter; o++) {
                for (int i = 0; i < fInner; i++) {
                    int base = o * n * fInner + i;
                    double dot = 0;
                    for (int k = 0; k < n; k++) {
                        int p = base + k * fInner;
                        dot += log ? g.buf.get(p) : g.buf.get(p) * y.buf.get(p);
                    }
                    for (int k = 0; k < n; k++) {
                        int p = base + k * fInner;
                        double v = log ? g.buf.get(p) - Math.exp(y.buf.get(p)) * dot : y.buf.get(p) * (g.buf.get(p) - dot);
                        gx.buf.set(p, v);
                    }
                }
            }
            return new Tensor[] {gx};
        }, x);
    }
}
