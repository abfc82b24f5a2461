package dev.fovea.tensor;

import java.util.Arrays;

/** Reshape, permute, slice, concatenation and copies to contiguous layout, with their gradients. */
final class Views {
    private Views() {}

    interface OffsetVisitor {
        void visit(int flat, int offset);
    }

    /** Visits every element of {@code t} in row-major order with its storage offset. */
    static void forEachOffset(Tensor t, OffsetVisitor v) {
        int rank = t.shape.length;
        int n = t.numel();
        if (n == 0) return;
        int[] idx = new int[rank];
        int p = t.offset;
        for (int i = 0; i < n; i++) {
            v.visit(i, p);
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                p += t.strides[d];
                if (idx[d] < t.shape[d]) break;
                p -= t.strides[d] * t.shape[d];
                idx[d] = 0;
            }
        }
    }

    static Tensor contiguous(Tensor x) {
        Tensor out = new Tensor(x.buf.likeForOverwrite(x.numel()), x.shape);
        forEachOffset(x, (i, p) -> out.buf.set(i, x.buf.get(p)));
        return Node.record(out, "contiguous", g -> new Tensor[] {g}, x);
    }

    static Tensor reshape(Tensor x, int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: only one dimension can be -1 in " + Arrays.toString(newShape));
                infer = i;
            } else {
                known *= s[i];
            }
        }
        int n = x.numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("reshape: cannot view shape " + Shapes.str(x.shape) + " as " + Arrays.toString(newShape));
            }
            s[infer] = n / known;
        }
        if (Shapes.numel(s) != n) {
            throw new IllegalArgumentException("reshape: shape " + Shapes.str(x.shape) + " (" + n + " elements) cannot become " + Arrays.toString(newShape));
        }
        Tensor c = x.contiguous();
        int[] oldShape = c.shape;
        Tensor out = new Tensor(c.buf, s.clone(), Shapes.contiguousStrides(s), 0);
        return Node.record(out, "reshape", g -> new Tensor[] {g.contiguous().reshape(oldShape)}, c);
    }

    static Tensor permute(Tensor x, int[] dims) {
        int r = x.shape.length;
        if (dims.length != r) throw new IllegalArgumentException("permute: " + dims.length + " dimensions for a tensor of rank " + r);
        int[] shape = new int[r], strides = new int[r], inverse = new int[r];
        boolean[] used = new boolean[r];
        for (int i = 0; i < r; i++) {
            int d = Shapes.normDim(dims[i], r);
            if (used[d]) throw new IllegalArgumentException("permute: dimension " + d + " repeated in " + Arrays.toString(dims));
            used[d] = true;
            shape[i] = x.shape[d];
            strides[i] = x.strides[d];
            inverse[d] = i;
        }
        Tensor out = new Tensor(x.buf, shape, strides, x.offset);
        return Node.record(out, "permute", g -> new Tensor[] {g.permute(inverse)}, x);
    }

    static Tensor slice(Tensor x, int dim, int start, int end) {
        int d = Shapes.normDim(dim, x.shape.length);
        if (start < 0 || end > x.shape[d] || start > end) {
            throw new IndexOutOfBoundsException("slice [" + start + ", " + end + ") out of range for dimension " + d + " of size " + x.shape[d]);
        }
        int[] shape = x.shape.clone();
        shape[d] = end - start;
        Tensor out = new Tensor(x.buf, shape, x.strides.clone(), x.offset + start * x.strides[d]);
        int[] inShape = x.shape;
        return Node.record(out, "slice", g -> {
            Tensor gx = new Tensor(g.buf.like(Shapes.numel(inShape)), inShape);
            new Tensor(gx.buf, shape, gx.strides.clone(), start * gx.strides[d]).copyFrom(g);
            return new Tensor[] {gx};
        }, x);
    }

    static Tensor concat(int dim, Tensor[] parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat of no tensors");
        int r = parts[0].shape.length;
        int d = Shapes.normDim(dim, r);
        int[] shape = parts[0].shape.clone();
        shape[d] = 0;
        for (Tensor p : parts) {
            if (p.shape.length != r) throw new IllegalArgumentException("concat: ranks differ: " + Shapes.str(parts[0].shape) + " and " + Shapes.str(p.shape));
            for (int i = 0; i < r; i++) {
                if (i != d && p.shape[i] != parts[0].shape[i]) {
                    throw new IllegalArgumentException("concat along " + d + ": shapes " + Shapes.str(parts[0].shape) + " and " + Shapes.str(p.shape) + " differ in dimension " + i);
                }
            }
            if (p.dtype() != parts[0].dtype()) throw new IllegalArgumentException("concat: mixed precisions");
            shape[d] += p.shape[d];
        }
        Tensor out = new Tensor(parts[0].buf.like(Shapes.numel(shape)), shape);
        int[] starts = new int[parts.length];
        int at = 0;
        for (int k = 0; k < parts.length; k++) {
            starts[k] = at;
            int[] ps = parts[k].shape;
            new Tensor(out.buf, ps.clone(), out.strides.clone(), at * out.strides[d]).copyFrom(parts[k]);
            at += ps[d];
        }
        return Node.record(out, "concat", g -> {
            Tensor[] gs = new Tensor[parts.length];
            for (int k = 0; k < parts.length; k++) gs[k] = g.slice(d, starts[k], starts[k] + parts[k].shape[d]).contiguous();
            return gs;
        }, parts);
    }

    /** Zero padding of the last two dimensions (top, bottom, left, right may differ). */
    static Tensor pad2d(Tensor x, int top, int bottom, int left, int right) {
        if (x.shape.length < 2) throw new IllegalArgumentException("pad2d needs at least 2 dimensions, got " + Shapes.str(x.shape));
        if (top < 0 || bottom < 0 || left < 0 || right < 0) throw new IllegalArgumentException("pad2d: negative padding");
        int r = x.shape.length;
        int[] shape = x.shape.clone();
        shape[r - 2] += top + bottom;
        shape[r - 1] += left + right;
        Tensor out = new Tensor(x.buf.like(Shapes.numel(shape)), shape);
        int inner = top * out.strides[r - 2] + left * out.strides[r - 1];
        new Tensor(out.buf, x.shape.clone(), out.strides.clone(), inner).copyFrom(x);
        return Node.record(out, "pad2d", g -> {
            Tensor gc = g.contiguous();
            return new Tensor[] {new Tensor(gc.buf, x.shape.clone(), gc.strides.clone(), inner).contiguous()};
        }, x);
    }
}
