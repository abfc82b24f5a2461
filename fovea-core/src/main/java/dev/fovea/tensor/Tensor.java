package dev.fovea.tensor;

import dev.fovea.kernels.Buf;

import java.util.Arrays;

/**
 * A dense n-dimensional array of float32 (or, for gradient checks, float64) numbers, laid out NCHW for images.
 *
 * <p>A tensor is a view: storage, shape, strides and an offset. Reshape, permute, transpose and slice make new
 * views of the same storage; operations that compute read their inputs through {@link #contiguous()}.
 *
 * <p>Autograd is define-by-run, as in PyTorch: while recording is on (see {@link Autograd#noGrad()}), every
 * operation whose input {@linkplain #requiresGrad() requires a gradient} remembers how to send gradients back;
 * {@link #backward()} on a scalar then adds d(scalar)/d(leaf) into each leaf's {@link #grad()}. Gradients
 * accumulate across calls until {@link #zeroGrad()}.
 */
public final class Tensor {
    final Buf buf;
    final int[] shape;
    final int[] strides;
    final int offset;

    private boolean requiresGrad;
    private boolean retainsGrad;
    private Tensor grad;
    Node gradFn;

    Tensor(Buf buf, int[] shape, int[] strides, int offset) {
        this.buf = buf;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    Tensor(Buf buf, int[] shape) {
        this(buf, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    // ---------------------------------------------------------------- creation

    /** Wraps {@code data} (not copied) as a float32 tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        checkLength(data.length, shape);
        return new Tensor(new Buf.F32(data), shape);
    }

    /** Wraps {@code data} (not copied) as a float64 tensor of the given shape. */
    public static Tensor of(double[] data, int... shape) {
        checkLength(data.length, shape);
        return new Tensor(new Buf.F64(data), shape);
    }

    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        int n = Shapes.numel(shape);
        AllocationLimit.charge(n);
        return new Tensor(Buf.allocate(n, dtype == DType.FLOAT64), shape);
    }

    public static Tensor ones(int... shape) {
        return full(1, shape);
    }

    public static Tensor full(double value, int... shape) {
        Tensor t = zeros(shape);
        t.buf.fill(value);
        return t;
    }

    public static Tensor scalar(double value) {
        return full(value, new int[0]);
    }

    /** Standard normal samples drawn from {@code rng}. */
    public static Tensor randn(Rng rng, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.buf.length(); i++) t.buf.set(i, rng.nextGaussian());
        return t;
    }

    /** Uniform samples in [lo, hi) drawn from {@code rng}. */
    public static Tensor uniform(Rng rng, double lo, double hi, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.buf.length(); i++) t.buf.set(i, lo + (hi - lo) * rng.nextDouble());
        return t;
    }

    public static Tensor zerosLike(Tensor t) {
        return new Tensor(t.buf.like(t.numel()), t.shape);
    }

    private static void checkLength(int length, int[] shape) {
        int n = Shapes.numel(shape);
        if (n != length) {
            throw new IllegalArgumentException("array of " + length + " numbers cannot have shape " + Shapes.str(shape) + " (" + n + " elements)");
        }
    }

    // ---------------------------------------------------------------- facts

    public int[] shape() {
        return shape.clone();
    }

    public int size(int dim) {
        return shape[Shapes.normDim(dim, shape.length)];
    }

    public int dim() {
        return shape.length;
    }

    public int numel() {
        return Shapes.numel(shape);
    }

    public DType dtype() {
        return buf.isDouble() ? DType.FLOAT64 : DType.FLOAT32;
    }

    public boolean isContiguous() {
        return offset == 0 && buf.length() == numel() && Arrays.equals(strides, Shapes.contiguousStrides(shape));
    }

    /** The storage of a contiguous tensor; kernels work on it directly. */
    public Buf buf() {
        if (!isContiguous()) throw new IllegalStateException("buf() needs a contiguous tensor; call contiguous() first");
        return buf;
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item() needs a tensor with one element, not shape " + Shapes.str(shape));
        return buf.get(offset);
    }

    public double get(int... index) {
        return buf.get(flatIndex(index));
    }

    /** Writes one element in place. Not recorded by autograd: use it to build inputs, not inside a model. */
    public void set(double value, int... index) {
        buf.set(flatIndex(index), value);
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for a tensor of shape " + Shapes.str(shape));
        }
        int p = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of bounds for shape " + Shapes.str(shape));
            }
            p += index[i] * strides[i];
        }
        return p;
    }

    /** A copy of the elements in row-major order, as float32. */
    public float[] toFloatArray() {
        Tensor c = contiguous();
        float[] out = new float[c.numel()];
        for (int i = 0; i < out.length; i++) out[i] = (float) c.buf.get(i);
        return out;
    }

    /** A copy of the elements in row-major order, as float64. */
    public double[] toDoubleArray() {
        Tensor c = contiguous();
        double[] out = new double[c.numel()];
        for (int i = 0; i < out.length; i++) out[i] = c.buf.get(i);
        return out;
    }

    /** This tensor in the given precision: itself when it already matches, else a recorded copy. */
    public Tensor to(DType dtype) {
        if (dtype == dtype()) return this;
        Tensor c = contiguous();
        Tensor out = new Tensor(Buf.allocate(c.numel(), dtype == DType.FLOAT64), shape);
        out.buf.copyFrom(c.buf, 0, 0, c.numel());
        DType mine = dtype();
        return Node.record(out, "to", g -> new Tensor[] {g.to(mine)}, this);
    }

    /** A contiguous copy that shares nothing with this tensor and records nothing. */
    public Tensor copy() {
        Tensor c = contiguous();
        Tensor out = new Tensor(c.buf.like(c.numel()), shape);
        out.buf.copyFrom(c.buf, 0, 0, c.numel());
        return out;
    }

    /** Copies {@code src}'s values into this tensor in place (same shape). Not recorded by autograd. */
    public void copyFrom(Tensor src) {
        if (!Arrays.equals(shape, src.shape)) {
            throw new IllegalArgumentException("copyFrom: shape " + Shapes.str(src.shape) + " into " + Shapes.str(shape));
        }
        Tensor s = src.contiguous();
        if (isContiguous()) {
            buf.copyFrom(s.buf, 0, 0, numel());
        } else {
            Views.forEachOffset(this, (i, p) -> buf.set(p, s.buf.get(i)));
        }
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as a parameter whose gradient backward() should compute. Returns this. */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null && !on) throw new IllegalStateException("only leaf tensors can stop requiring grad; use detach()");
        requiresGrad = on;
        return this;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The accumulated gradient of a leaf, or null before the first backward(). */
    public Tensor grad() {
        return grad;
    }

    public void zeroGrad() {
        grad = null;
    }

    void accumulateGrad(Tensor g) {
        if (grad == null) {
            Tensor gc = g.contiguous();
            grad = new Tensor(Buf.allocate(gc.numel(), gc.buf.isDouble()), shape); // outlives the step: not from an arena
            grad.buf.copyFrom(gc.buf, 0, 0, gc.numel());
        } else {
            Tensor gc = g.contiguous();
            if (grad.buf instanceof Buf.F32 acc && gc.buf instanceof Buf.F32 add) {
                for (int i = 0, n = acc.a.length; i < n; i++) acc.a[i] += add.a[i];
            } else {
                for (int i = 0, n = grad.numel(); i < n; i++) grad.buf.add(i, gc.buf.get(i));
            }
        }
    }

    /** The operation that produced this tensor while recording, or null for leaves. */
    public String gradFnName() {
        return gradFn == null ? null : gradFn.op;
    }

    /**
     * The inputs of the operation that produced this tensor while recording (null entries where an input was
     * absent, such as a missing bias), or an empty list for leaves: the graph, read-only, as PyTorch's
     * {@code grad_fn.next_functions}, for tools that draw it.
     */
    public java.util.List<Tensor> gradFnInputs() {
        return gradFn == null ? java.util.List.of() : java.util.Collections.unmodifiableList(Arrays.asList(gradFn.inputs));
    }

    /**
     * Makes {@link #backward()} also keep this non-leaf tensor's gradient in {@link #grad()}, as PyTorch's
     * {@code retain_grad()}; for looking at the gradients of activations. Leaves keep theirs anyway. Returns this.
     */
    public Tensor retainGrad() {
        if (!requiresGrad) throw new IllegalStateException("retainGrad() on a tensor that does not require grad");
        retainsGrad = true;
        return this;
    }

    boolean retainsGrad() {
        return retainsGrad;
    }

    /** Back-propagates from this one-element tensor (usually a loss) into every leaf that requires grad. */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward() without an argument needs a scalar, not shape " + Shapes.str(shape));
        }
        backward(full(1, shape).to(dtype()));
    }

    /** Back-propagates {@code gradOutput} (same shape as this tensor). */
    public void backward(Tensor gradOutput) {
        Autograd.backward(this, gradOutput);
    }

    /** The same values, cut off from the graph. */
    public Tensor detach() {
        return new Tensor(buf, shape, strides, offset);
    }

    // ---------------------------------------------------------------- views

    public Tensor contiguous() {
        return isContiguous() ? this : Views.contiguous(this);
    }

    /** Same elements, new shape; one dimension may be -1. A view when the tensor is contiguous. */
    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    public Tensor view(int... newShape) {
        return reshape(newShape);
    }

    /** Flattens dimensions {@code startDim..end} into one. */
    public Tensor flatten(int startDim) {
        int s = Shapes.normDim(startDim, shape.length);
        int[] ns = Arrays.copyOf(shape, s + 1);
        ns[s] = -1;
        if (numel() == 0) ns[s] = 0;
        return reshape(ns);
    }

    public Tensor permute(int... dims) {
        return Views.permute(this, dims);
    }

    public Tensor transpose(int d0, int d1) {
        int[] p = new int[shape.length];
        for (int i = 0; i < p.length; i++) p[i] = i;
        int a = Shapes.normDim(d0, p.length), b = Shapes.normDim(d1, p.length);
        p[a] = b;
        p[b] = a;
        return permute(p);
    }

    /** Elements {@code start} (inclusive) to {@code end} (exclusive) along {@code dim}: a view. */
    public Tensor slice(int dim, int start, int end) {
        return Views.slice(this, dim, start, end);
    }

    /** Concatenates tensors along {@code dim} (dimension 1 is the channel dimension of NCHW images). */
    public static Tensor concat(int dim, Tensor... parts) {
        return Views.concat(dim, parts);
    }

    /** Zero padding of the last two dimensions: {@code top}/{@code bottom} rows, {@code left}/{@code right} columns. */
    public Tensor pad2d(int top, int bottom, int left, int right) {
        return Views.pad2d(this, top, bottom, left, right);
    }

    // ---------------------------------------------------------------- element-wise arithmetic (broadcasting)

    public Tensor add(Tensor o) { return Elementwise.add(this, o); }
    public Tensor sub(Tensor o) { return Elementwise.sub(this, o); }
    public Tensor mul(Tensor o) { return Elementwise.mul(this, o); }
    public Tensor div(Tensor o) { return Elementwise.div(this, o); }
    public Tensor add(double c) { return Elementwise.affine(this, 1, c); }
    public Tensor sub(double c) { return Elementwise.affine(this, 1, -c); }
    public Tensor mul(double c) { return Elementwise.affine(this, c, 0); }
    public Tensor div(double c) { return Elementwise.affine(this, 1 / c, 0); }
    public Tensor neg() { return Elementwise.affine(this, -1, 0); }
    public Tensor exp() { return Elementwise.exp(this); }
    public Tensor log() { return Elementwise.log(this); }
    public Tensor sqrt() { return Elementwise.sqrt(this); }
    public Tensor square() { return Elementwise.mul(this, this); }

    public Tensor relu() { return Activations.relu(this); }
    public Tensor leakyRelu(double slope) { return Activations.leakyRelu(this, slope); }
    public Tensor elu(double alpha) { return Activations.elu(this, alpha); }
    public Tensor tanh() { return Activations.tanh(this); }
    public Tensor sigmoid() { return Activations.sigmoid(this); }

    /** Matrix product of two 2-D tensors. */
    public Tensor matmul(Tensor o) { return MatMul.matmul(this, o); }

    // ---------------------------------------------------------------- reductions

    public Tensor sum() { return Reductions.sum(this, null, false); }
    public Tensor sum(int dim, boolean keepDim) { return Reductions.sum(this, new int[] {dim}, keepDim); }
    public Tensor mean() { return Reductions.mean(this, null, false); }
    public Tensor mean(int dim, boolean keepDim) { return Reductions.mean(this, new int[] {dim}, keepDim); }
    /** The largest element; the gradient flows to the first position holding it. */
    public Tensor max() { return Reductions.max(this, null, false); }
    public Tensor max(int dim, boolean keepDim) { return Reductions.max(this, dim, keepDim); }

    /** Index of the largest element along {@code dim} (first one on ties), for every other position, row-major. */
    public int[] argmax(int dim) { return Reductions.argmax(this, dim); }

    // ---------------------------------------------------------------- printing

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(shape=").append(Shapes.str(shape));
        if (dtype() == DType.FLOAT64) sb.append(", float64");
        if (gradFn != null) sb.append(", grad_fn=").append(gradFn.op);
        else if (requiresGrad) sb.append(", requires_grad");
        int n = numel();
        if (n <= 16) {
            sb.append(", ").append(Arrays.toString(toFloatArray()));
        }
        return sb.append(')').toString();
    }
}
