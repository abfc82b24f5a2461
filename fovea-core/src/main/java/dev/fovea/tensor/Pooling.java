package dev.fovea.tensor;

import dev.fovea.kernels.Arena;
import dev.fovea.kernels.Kernels;
import dev.fovea.kernels.Parallel;
import dev.fovea.kernels.PoolShape;

/**
 * Max and average pooling over N x C x H x W, with PyTorch's output sizes (ceil mode included) and PyTorch's
 * definitions of ties, padding and the average divisor (see {@link dev.fovea.kernels.PoolShape}).
 * Max pooling stores the arg-max of every window, so backward routes each gradient to exactly one input.
 */
public final class Pooling {
    private Pooling() {}

    private static PoolShape shape(Tensor x, int[] k, int[] s, int[] p, boolean ceil, String op) {
        if (x.dim() != 4) throw new IllegalArgumentException(op + ": input must be N x C x H x W, got shape " + Shapes.str(x.shape));
        PoolShape ps = new PoolShape(x.shape[1], x.shape[2], x.shape[3], k[0], k[1], s[0], s[1], p[0], p[1], ceil);
        if (ps.outH() < 1 || ps.outW() < 1) {
            throw new IllegalArgumentException(op + ": input " + x.shape[2] + "x" + x.shape[3] + " is smaller than the " + k[0] + "x" + k[1] + " window");
        }
        return ps;
    }

    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        PoolShape s = shape(x, kernel, stride, padding, ceilMode, "max_pool2d");
        int n = x.shape[0], c = x.shape[1], oh = s.outH(), ow = s.outW();
        int per = c * oh * ow, inPer = c * x.shape[2] * x.shape[3];
        Tensor xc = x.contiguous();
        Tensor y = new Tensor(xc.buf.likeForOverwrite(n * per), new int[] {n, c, oh, ow});
        int[] arg = Arena.intsForOverwrite(n * per);
        Kernels k = Kernels.active();
        // Images are independent: split over the cores (each writes only its own outputs and arg-max slots).
        Parallel.forRanges(n, (part, from, to) -> {
            for (int i = from; i < to; i++) k.maxPool(xc.buf, i * inPer, s, y.buf, i * per, arg, i * per);
        });
        return Node.record(y, "max_pool2d", g -> {
            Tensor gc = g.contiguous();
            Tensor gx = new Tensor(gc.buf.like(n * inPer), x.shape);
            Parallel.forRanges(n, (part, from, to) -> {
                for (int i = from; i < to; i++) k.maxPoolBackward(gc.buf, i * per, arg, i * per, per, gx.buf, i * inPer);
            });
            return new Tensor[] {gx};
        }, x);
    }

    /** Average pooling; {@code countIncludePad} is PyTorch's switch (default true there). */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        PoolShape s = shape(x, kernel, stride, padding, ceilMode, "avg_pool2d");
        int n = x.shape[0], c = x.shape[1], oh = s.outH(), ow = s.outW();
        int per = c * oh * ow, inPer = c * x.shape[2] * x.shape[3];
        Tensor xc = x.contiguous();
        Tensor y = new Tensor(xc.buf.likeForOverwrite(n * per), new int[] {n, c, oh, ow});
        Kernels k = Kernels.active();
        Parallel.forRanges(n, (part, from, to) -> {
            for (int i = from; i < to; i++) k.avgPool(xc.buf, i * inPer, s, countIncludePad, y.buf, i * per);
        });
        return Node.record(y, "avg_pool2d", g -> {
            Tensor gc = g.contiguous();
            Tensor gx = new Tensor(gc.buf.like(n * inPer), x.shape);
            Parallel.forRanges(n, (part, from, to) -> {
                for (int i = from; i < to; i++) k.avgPoolBackward(gc.buf, i * per, s, countIncludePad, gx.buf, i * inPer);
            });
            return new Tensor[] {gx};
        }, x);
    }

    /** Mean over each whole channel: N x C x H x W to N x C x 1 x 1. */
    public static Tensor globalAvgPool2d(Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException("global_avg_pool2d: input must be N x C x H x W, got shape " + Shapes.str(x.shape));
        int n = x.shape[0], c = x.shape[1];
        return x.reshape(n, c, -1).mean(2, true).reshape(n, c, 1, 1);
    }
}
