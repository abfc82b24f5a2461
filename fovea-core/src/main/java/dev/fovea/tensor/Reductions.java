package dev.fovea.tensor;

/** Sum, mean, max and argmax, over all elements or along one dimension. */
final class Reductions {
    private Reductions() {}

    /** Shape after reducing {@code d}: dropped, or kept as 1. */
    private static int[] reducedShape(int[] shape, int d, boolean keepDim) {
        int[] out = new int[keepDim ? shape.length : shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) {
                if (keepDim) out[j++] = 1;
            } else {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    private static int outer(int[] s, int d) {
        int n = 1;
        for (int i = 0; i < d; i++) n *= s[i];
        return n;
    }

    private static int inner(int[] s, int d) {
        int n = 1;
        for (int i = d + 1; i < s.length; i++) n *= s[i];
        return n;
    }

    static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        Tensor xc = x.contiguous();
        if (dims == null) {
            double s = 0;
            for (int i = 0, n = xc.numel(); i < n; i++) s += xc.buf.get(i);
            Tensor out = new Tensor(xc.buf.like(1), new int[0]);
            out.buf.set(0, s);
            int[] shape = x.shape;
            return Node.record(out, "sum", g -> {
                // Filled in g's own precision: full() would round a float64 gradient to float32.
                Tensor gx = Tensor.zeros(g.dtype(), shape);
                gx.buf.fill(g.item());
                return new Tensor[] {gx};
            }, x);
        }
        int d = Shapes.normDim(dims[0], x.shape.length);
        int outer = outer(x.shape, d), n = x.shape[d], inner = inner(x.shape, d);
        Tensor out = new Tensor(xc.buf.like(outer * inner), reducedShape(x.shape, d, keepDim));
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < n; k++) {
                int base = (o * n + k) * inner;
                for (int i = 0; i < inner; i++) out.buf.add(o * inner + i, xc.buf.get(base + i));
            }
        }
        int[] shape = x.shape;
        return Node.record(out, "sum_dim", g -> {
            Tensor gc = g.contiguous();
            Tensor gx = new Tensor(gc.buf.like(Shapes.numel(shape)), shape);
            for (int o = 0; o < outer; o++) {
                for (int k = 0; k < n; k++) {
                    for (int i = 0; i < inner; i++) gx.buf.set((o * n + k) * inner + i, gc.buf.get(o * inner + i));
                }
            }
            return new Tensor[] {gx};
        }, x);
    }

    static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        int count = dims == null ? x.numel() : x.shape[Shapes.normDim(dims[0], x.shape.length)];
        return sum(x, dims, keepDim).div(count);
    }

    static Tensor max(Tensor x, Integer dim, boolean keepDim) {
        Tensor xc = x.contiguous();
        int[] shape = x.shape;
        int d = dim == null ? -1 : Shapes.normDim(dim, shape.length);
        int outer = d < 0 ? 1 : outer(shape, d), n = d < 0 ? x.numel() : shape[d], inner = d < 0 ? 1 : inner(shape, d);
        if (n == 0) throw new IllegalArgumentException("max of an empty tensor");
        int[] arg = argmaxFlat(xc, outer, n, inner);
        Tensor out = new Tensor(xc.buf.like(outer * inner), d < 0 ? new int[0] : reducedShape(shape, d, keepDim));
        for (int j = 0; j < arg.length; j++) out.buf.set(j, xc.buf.get(arg[j]));
        return Node.record(out, "max", g -> {
            Tensor gc = g.contiguous();
            Tensor gx = new Tensor(gc.buf.like(Shapes.numel(shape)), shape);
            for (int j = 0; j < arg.length; j++) gx.buf.add(arg[j], gc.buf.get(j));
            return new Tensor[] {gx};
        }, x);
    }

    static int[] argmax(Tensor x, int dim) {
        int d = Shapes.normDim(dim, x.shape.length);
        int outer = outer(x.shape, d), n = x.shape[d], inner = inner(x.shape, d);
        int[] flat = argmaxFlat(x.contiguous(), outer, n, inner);
        int[] idx = new int[flat.length];
        for (int j = 0; j < flat.length; j++) idx[j] = (flat[j] / inner) % n;
        return idx;
    }

    /** Flat positions of the first maximum of each [outer, *, inner] fibre; NaN wins, as in PyTorch. */
    private static int[] argmaxFlat(Tensor xc, int outer, int n, int inner) {
        int[] arg = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = o * n * inner + i;
                double bv = xc.buf.get(best);
                for (int k = 1; k < n && !Double.isNaN(bv); k++) {
                    int p = (o * n + k) * inner + i;
                    double v = xc.buf.get(p);
                    if (v > bv || Double.isNaN(v)) {
                        bv = v;
                        best = p;
                    }
                }
                arg[o * inner + i] = best;
            }
        }
        return arg;
    }
}
