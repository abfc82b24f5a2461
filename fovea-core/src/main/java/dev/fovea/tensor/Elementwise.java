package dev.fovea.tensor;

import dev.fovea.kernels.Buf;
import dev.fovea.kernels.Parallel;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Element-wise arithmetic with NumPy/PyTorch broadcasting, and the gradients that undo the broadcast. */
final class Elementwise {
    private Elementwise() {}

    interface Visitor {
        void visit(int i, int pa, int pb);
    }

    /** Walks {@code shape} in row-major order, giving the flat index and the offsets under two stride sets. */
    static void broadcastLoop(int[] shape, int[] sa, int[] sb, Visitor v) {
        int n = Shapes.numel(shape);
        if (n == 0) return;
        int rank = shape.length;
        int[] idx = new int[rank];
        int pa = 0, pb = 0;
        for (int i = 0; i < n; i++) {
            v.visit(i, pa, pb);
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                pa += sa[d];
                pb += sb[d];
                if (idx[d] < shape[d]) break;
                pa -= sa[d] * shape[d];
                pb -= sb[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    private static Tensor binary(Tensor a, Tensor b, DoubleBinaryOperator f) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("mixed precisions: " + a.dtype() + " and " + b.dtype() + "; convert one with to()");
        }
        Tensor ac = a.contiguous(), bc = b.contiguous();
        Buf x = ac.buf, y = bc.buf;
        if (Arrays.equals(a.shape, b.shape)) {
            Tensor out = new Tensor(x.like(x.length()), a.shape);
            for (int i = 0, n = x.length(); i < n; i++) out.buf.set(i, f.applyAsDouble(x.get(i), y.get(i)));
            return out;
        }
        int[] shape = Shapes.broadcast(a.shape, b.shape);
        Tensor out = new Tensor(x.like(Shapes.numel(shape)), shape);
        broadcastLoop(shape, Shapes.broadcastStrides(a.shape, shape), Shapes.broadcastStrides(b.shape, shape),
                (i, pa, pb) -> out.buf.set(i, f.applyAsDouble(x.get(pa), y.get(pb))));
        return out;
    }

    static Tensor unary(Tensor a, DoubleUnaryOperator f) {
        Tensor ac = a.contiguous();
        Tensor out = new Tensor(ac.buf.like(ac.numel()), a.shape);
        for (int i = 0, n = ac.numel(); i < n; i++) out.buf.set(i, f.applyAsDouble(ac.buf.get(i)));
        return out;
    }

    /** Sums {@code g} over the dimensions that broadcasting expanded, giving a tensor of {@code shape}. */
    static Tensor sumTo(Tensor g, int[] shape) {
        if (Arrays.equals(g.shape, shape)) return g;
        Tensor gc = g.contiguous();
        Tensor out = new Tensor(gc.buf.like(Shapes.numel(shape)), shape);
        broadcastLoop(gc.shape, Shapes.contiguousStrides(gc.shape), Shapes.broadcastStrides(shape, gc.shape),
                (i, pg, po) -> out.buf.add(po, gc.buf.get(pg)));
        return out;
    }

    /** a + b into a new tensor, unrecorded: how the engine adds gradients arriving by two paths. */
    static Tensor sumOf(Tensor a, Tensor b) {
        return plus(a, b);
    }

    /** a + b; same-shape float32 operands (residual connections, gradient sums) take a plain array loop. */
    private static Tensor plus(Tensor a, Tensor b) {
        if (Arrays.equals(a.shape, b.shape) && a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32) {
            Buf.F32 xb = (Buf.F32) a.contiguous().buf, out = (Buf.F32) xb.likeForOverwrite(xb.length());
            float[] x = xb.a, y = ((Buf.F32) b.contiguous().buf).a, z = out.a;
            // Split over the cores in chunks, as ReLU is: a ResNet step spends 2-3% here on one core otherwise.
            int chunk = 1 << 16;
            Parallel.forRanges((z.length + chunk - 1) / chunk, (part, from, to) -> {
                for (int i = from * chunk, end = Math.min(z.length, to * chunk); i < end; i++) z[i] = x[i] + y[i];
            });
            return new Tensor(out, a.shape);
        }
        return binary(a, b, Double::sum);
    }

    static Tensor add(Tensor a, Tensor b) {
        Tensor out = plus(a, b);
        return Node.record(out, "add", g -> new Tensor[] {sumTo(g, a.shape), sumTo(g, b.shape)}, a, b);
    }

    static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binary(a, b, (x, y) -> x - y);
        return Node.record(out, "sub", g -> new Tensor[] {sumTo(g, a.shape), sumTo(g, b.shape).neg()}, a, b);
    }

    static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binary(a, b, (x, y) -> x * y);
        return Node.record(out, "mul", g -> new Tensor[] {
                a.requiresGrad() ? sumTo(binary(g, b, (x, y) -> x * y), a.shape) : null,
                b.requiresGrad() ? sumTo(binary(g, a, (x, y) -> x * y), b.shape) : null}, a, b);
    }

    static Tensor div(Tensor a, Tensor b) {
        Tensor out = binary(a, b, (x, y) -> x / y);
        return Node.record(out, "div", g -> new Tensor[] {
                a.requiresGrad() ? sumTo(binary(g, b, (x, y) -> x / y), a.shape) : null,
                b.requiresGrad() ? sumTo(binary(binary(g, out, (x, y) -> -x * y), b, (x, y) -> x / y), b.shape) : null}, a, b);
    }

    /** scale * x + shift. */
    static Tensor affine(Tensor a, double scale, double shift) {
        Tensor out = unary(a, x -> scale * x + shift);
        return Node.record(out, "affine", g -> new Tensor[] {unary(g, x -> scale * x)}, a);
    }

    static Tensor exp(Tensor a) {
        Tensor out = unary(a, Math::exp);
        return Node.record(out, "exp", g -> new Tensor[] {binary(g, out, (x, y) -> x * y)}, a);
    }

    static Tensor log(Tensor a) {
        Tensor out = unary(a, Math::log);
        return Node.record(out, "log", g -> new Tensor[] {binary(g, a, (x, y) -> x / y)}, a);
    }

    static Tensor sqrt(Tensor a) {
        Tensor out = unary(a, Math::sqrt);
        return Node.record(out, "sqrt", g -> new Tensor[] {binary(g, out, (x, y) -> x / (2 * y))}, a);
    }
}
