package dev.fovea.kernels;

/**
 * The compute primitives the layers are built on. Everything above this package reaches arithmetic-heavy loops
 * only through here, so a faster implementation can replace {@link ReferenceKernels} without touching a layer.
 * Buffers may be float32 or float64; an implementation may specialise float32 and fall back to the reference
 * for float64.
 *
 * <p>The active implementation is chosen once from the system property {@code fovea.kernels}: {@code vector}
 * (the default) or {@code reference}, which forces the plain loops for debugging; {@link #use(Kernels)} switches it
 * in tests that compare the two.
 */
public interface Kernels {

    /** Row-major C = alpha * op(A) * op(B) + beta * C; op(A) is m x k, op(B) is k x n. */
    void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
              Buf a, int offA, int lda, Buf b, int offB, int ldb, double beta, Buf c, int offC, int ldc);

    /**
     * Unrolls one image (or channel group) into a {@code colRows x colCols} block of a matrix whose rows are
     * {@code ldCol} apart (several images' blocks can sit side by side).
     */
    void im2col(Buf x, int xOff, ConvShape s, Buf col, int colOff, int ldCol);

    /** Adds the columns back into image positions: the adjoint of im2col. */
    void col2im(Buf col, int colOff, ConvShape s, Buf gx, int gxOff, int ldCol);

    default void im2col(Buf x, int xOff, ConvShape s, Buf col, int colOff) {
        im2col(x, xOff, s, col, colOff, s.colCols());
    }

    default void col2im(Buf col, int colOff, ConvShape s, Buf gx, int gxOff) {
        col2im(col, colOff, s, gx, gxOff, s.colCols());
    }

    /**
     * Whether {@link #convForward} and {@link #convWeightGrad} run this shape on these buffers without a column
     * matrix; when false the caller goes through {@link #im2col} and {@link #gemm}.
     */
    default boolean convDirect(ConvShape s, Buf like) {
        return false;
    }

    /**
     * {@code count} images (or the same channel group of each): y[og][outH x outW] = conv(x, w[og][colRows]),
     * overwritten; image i's input at {@code xOff + i * xStride}, its output at {@code yOff + i * yStride}.
     */
    default void convForward(Buf x, int xOff, int xStride, int count, ConvShape s, Buf w, int wOff, int og, Buf y, int yOff, int yStride) {
        throw new UnsupportedOperationException("no direct convolution here; check convDirect first");
    }

    /** {@code count} images (or channel groups), strided as in {@link #convForward}: gw[og][colRows] += dy . im2col(x)^T. */
    default void convWeightGrad(Buf x, int xOff, int xStride, int count, ConvShape s, Buf gy, int gyOff, int gyStride, int og, Buf gw, int gwOff) {
        throw new UnsupportedOperationException("no direct convolution here; check convDirect first");
    }

    /** Max pooling of {@code s.c()} planes; {@code arg} receives each output's winning input index. */
    void maxPool(Buf x, int xOff, PoolShape s, Buf y, int yOff, int[] arg, int argOff);

    void maxPoolBackward(Buf gy, int gyOff, int[] arg, int argOff, int count, Buf gx, int gxOff);

    void avgPool(Buf x, int xOff, PoolShape s, boolean countIncludePad, Buf y, int yOff);

    void avgPoolBackward(Buf gy, int gyOff, PoolShape s, boolean countIncludePad, Buf gx, int gxOff);

    /** The implementation in use. */
    static Kernels active() {
        return Active.current;
    }

    /** Switches implementation (for tests that compare kernels, or for debugging); returns the previous one. */
    static Kernels use(Kernels k) {
        Kernels prev = Active.current;
        Active.current = k;
        return prev;
    }

    static Kernels reference() {
        return ReferenceKernels.INSTANCE;
    }

    /** The Vector API kernels (float32), falling back to the reference for float64. */
    static Kernels vector() {
        return VectorKernels.INSTANCE;
    }

    final class Active {
        private Active() {}

        static volatile Kernels current = fromProperty(System.getProperty("fovea.kernels", "vector"));

        static Kernels fromProperty(String name) {
            return switch (name) {
                case "reference" -> ReferenceKernels.INSTANCE;
                case "vector" -> VectorKernels.INSTANCE;
                default -> throw new IllegalArgumentException("-Dfovea.kernels must be 'vector' or 'reference', got '" + name + "'");
            };
        }
    }
}
