package dev.fovea.tensor;

import dev.fovea.kernels.Buf;
import dev.fovea.kernels.FloatMaps;
import dev.fovea.kernels.Parallel;

/**
 * Point-wise non-linearities and inverted dropout, each forward beside its backward.
 * Definitions follow PyTorch: relu'(0) = 0; ELU(x) = alpha * (exp(x) - 1) for x <= 0.
 */
public final class Activations {
    private Activations() {}

    /** Element-wise loops are split over the cores in chunks of this many (small tensors stay on one thread). */
    private static final int CHUNK = 1 << 16;

    private static int chunks(int len) {
        return (len + CHUNK - 1) / CHUNK;
    }

    public static Tensor relu(Tensor x) {
        Tensor xc = x.contiguous();
        Tensor out;
        if (xc.buf instanceof Buf.F32 f) {
            float[] src = f.a, dst = ((Buf.F32) f.likeForOverwrite(src.length)).a;
            Parallel.forRanges(chunks(src.length), (part, from, to) -> {
                for (int i = from * CHUNK, end = Math.min(src.length, to * CHUNK); i < end; i++) dst[i] = Math.max(src[i], 0f);
            });
            out = new Tensor(new Buf.F32(dst), x.shape);
        } else {
            out = Elementwise.unary(xc, v -> v > 0 ? v : 0);
        }
        return Node.record(out, "relu", g -> new Tensor[] {gate(g, out, 0)}, x);
    }

    public static Tensor leakyRelu(Tensor x, double slope) {
        Tensor out = Elementwise.unary(x, v -> v > 0 ? v : slope * v);
        return Node.record(out, "leaky_relu", g -> new Tensor[] {gateInput(g, x, slope)}, x);
    }

    public static Tensor elu(Tensor x, double alpha) {
        Tensor out = Elementwise.unary(x, v -> v > 0 ? v : alpha * Math.expm1(v));
        return Node.record(out, "elu", g -> {
            Tensor gc = g.contiguous(), xc = x.contiguous();
            Tensor gx = Tensor.zerosLike(gc);
            for (int i = 0, n = gx.numel(); i < n; i++) {
                double v = xc.buf.get(i);
                gx.buf.set(i, gc.buf.get(i) * (v > 0 ? 1 : out.buf.get(i) + alpha));
            }
            return new Tensor[] {gx};
        }, x);
    }

    public static Tensor tanh(Tensor x) {
        Tensor out = Elementwise.unary(x, Math::tanh);
        return Node.record(out, "tanh", g -> new Tensor[] {derivFromOutput(g, out, y -> 1 - y * y)}, x);
    }

    /** Written as 1/(1+e^-x) for x >= 0 and e^x/(1+e^x) otherwise, so neither side overflows. */
    public static Tensor sigmoid(Tensor x) {
        Tensor out = Elementwise.unary(x, v -> v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
        return Node.record(out, "sigmoid", g -> new Tensor[] {derivFromOutput(g, out, y -> y * (1 - y))}, x);
    }

    /**
     * Inverted dropout: in training each element is zeroed with probability {@code p} and the survivors are
     * scaled by 1/(1-p), so evaluation needs no rescaling and is the identity.
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Rng rng) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        if (!training || p == 0) return x;
        Tensor xc = x.contiguous();
        Tensor mask = Tensor.zerosLike(xc);
        double keep = 1 / (1 - p);
        for (int i = 0, n = mask.numel(); i < n; i++) mask.buf.set(i, rng.nextDouble() >= p ? keep : 0);
        Tensor out = Elementwise.unary(xc, v -> v);
        for (int i = 0, n = out.numel(); i < n; i++) out.buf.set(i, out.buf.get(i) * mask.buf.get(i));
        return Node.record(out, "dropout", g -> {
            Tensor gx = g.contiguous().copy();
            for (int i = 0, n = gx.numel(); i < n; i++) gx.buf.set(i, gx.buf.get(i) * mask.buf.get(i));
            return new Tensor[] {gx};
        }, x);
    }

    /** g where the saved output is above {@code threshold}, else 0. */
    private static Tensor gate(Tensor g, Tensor out, double threshold) {
        Tensor gc = g.contiguous();
        if (gc.buf instanceof Buf.F32 gf && out.buf instanceof Buf.F32 of) {
            float[] gv = gf.a, ov = of.a, dst = ((Buf.F32) gf.likeForOverwrite(gv.length)).a;
            float t = (float) threshold;
            Parallel.forRanges(chunks(dst.length), (part, from, to) -> FloatMaps.gate(ov, t, gv, dst, from * CHUNK, Math.min(dst.length, to * CHUNK)));
            return new Tensor(new Buf.F32(dst), gc.shape);
        }
        Tensor gx = Tensor.zerosLike(gc);
        for (int i = 0, n = gx.numel(); i < n; i++) {
            if (out.buf.get(i) > threshold) gx.buf.set(i, gc.buf.get(i));
        }
        return gx;
    }

    private static Tensor gateInput(Tensor g, Tensor x, double slope) {
        Tensor gc = g.contiguous(), xc = x.contiguous();
        Tensor gx = Tensor.zerosLike(gc);
        for (int i = 0, n = gx.numel(); i < n; i++) {
            double v = gc.buf.get(i);
            gx.buf.set(i, xc.buf.get(i) > 0 ? v : slope * v);
        }
        return gx;
    }

    private static Tensor derivFromOutput(Tensor g, Tensor out, java.util.function.DoubleUnaryOperator d) {
        Tensor gc = g.contiguous();
        Tensor gx = Tensor.zerosLike(gc);
        for (int i = 0, n = gx.numel(); i < n; i++) gx.buf.set(i, gc.buf.get(i) * d.applyAsDouble(out.buf.get(i)));
        return gx;
    }
}
