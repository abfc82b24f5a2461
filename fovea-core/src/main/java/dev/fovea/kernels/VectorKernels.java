package dev.fovea.kernels;

/**
 * The fast kernels: float32 work goes to the Vector API implementations, anything else (float64, used by gradient
 * checks) to the reference loops. Primitives without a fast path yet also use the reference.
 */
final class VectorKernels implements Kernels {
    static final VectorKernels INSTANCE = new VectorKernels();

    private static final Kernels REF = ReferenceKernels.INSTANCE;

    /** Below this much arithmetic a GEMM stays on one thread: handing work to the pool costs some microseconds. */
    static final long PARALLEL_MIN_MULTIPLY_ADDS = 1 << 20;

    private VectorKernels() {}

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                     Buf a, int offA, int lda, Buf b, int offB, int ldb, double beta, Buf c, int offC, int ldc) {
        if (a instanceof Buf.F32 fa && b instanceof Buf.F32 fb && c instanceof Buf.F32 fc) {
            int units = (n + VectorGemm.NR - 1) / VectorGemm.NR;
            if ((long) m * n * k < PARALLEL_MIN_MULTIPLY_ADDS || Parallel.parts(units) == 1) {
                VectorGemm.sgemm(transA, transB, m, n, k, (float) alpha, fa.a, offA, lda, fb.a, offB, ldb, (float) beta, fc.a, offC, ldc);
                return;
            }
            // Columns of C (in whole micro-panels) are split over the cores: each thread packs its own copy of A,
            // which costs m x k per thread against m x n x k / threads of arithmetic. Inside a parallel loop (a
            // convolution split over images) parts() is 1 and this is not reached.
            Parallel.forRanges(units, (part, from, to) -> {
                int j0 = from * VectorGemm.NR, j1 = Math.min(n, to * VectorGemm.NR);
                VectorGemm.sgemm(transA, transB, m, j1 - j0, k, (float) alpha, fa.a, offA, lda,
                        fb.a, transB ? offB + j0 * ldb : offB + j0, ldb, (float) beta, fc.a, offC + j0, ldc);
            });
        } else {
            REF.gemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
        }
    }

    @Override
    public void im2col(Buf x, int xOff, ConvShape s, Buf col, int colOff, int ldCol) {
        if (x instanceof Buf.F32 fx && col instanceof Buf.F32 fc) Im2colFloat.im2col(fx.a, xOff, s, fc.a, colOff, ldCol);
        else REF.im2col(x, xOff, s, col, colOff, ldCol);
    }

    @Override
    public void col2im(Buf col, int colOff, ConvShape s, Buf gx, int gxOff, int ldCol) {
        if (col instanceof Buf.F32 fc && gx instanceof Buf.F32 fg) Im2colFloat.col2im(fc.a, colOff, s, fg.a, gxOff, ldCol);
        else REF.col2im(col, colOff, s, gx, gxOff, ldCol);
    }

    /**
     * Stride-1 float32 convolutions skip im2col ({@link ImplicitConv}); tests can turn that off, and so can
     * {@code -Dfovea.implicitConv=false}, for timing the two routes against each other with the same command.
     */
    static boolean implicitConv = !"false".equals(System.getProperty("fovea.implicitConv"));

    @Override
    public boolean convDirect(ConvShape s, Buf like) {
        return implicitConv && like instanceof Buf.F32 && ImplicitConv.applies(s);
    }

    @Override
    public void convForward(Buf x, int xOff, int xStride, int count, ConvShape s, Buf w, int wOff, int og, Buf y, int yOff, int yStride) {
        ImplicitConv.forward(((Buf.F32) x).a, xOff, xStride, count, s, ((Buf.F32) w).a, wOff, og, ((Buf.F32) y).a, yOff, yStride);
    }

    @Override
    public void convWeightGrad(Buf x, int xOff, int xStride, int count, ConvShape s, Buf gy, int gyOff, int gyStride, int og, Buf gw, int gwOff) {
        ImplicitConv.weightGrad(((Buf.F32) x).a, xOff, xStride, count, s, ((Buf.F32) gy).a, gyOff, gyStride, og, ((Buf.F32) gw).a, gwOff);
    }

    @Override
    public void maxPool(Buf x, int xOff, PoolShape s, Buf y, int yOff, int[] arg, int argOff) {
        if (x instanceof Buf.F32 fx && y instanceof Buf.F32 fy) PoolFloat.maxForward(fx.a, xOff, s, fy.a, yOff, arg, argOff);
        else REF.maxPool(x, xOff, s, y, yOff, arg, argOff);
    }

    @Override
    public void maxPoolBackward(Buf gy, int gyOff, int[] arg, int argOff, int count, Buf gx, int gxOff) {
        if (gy instanceof Buf.F32 fy && gx instanceof Buf.F32 fx) PoolFloat.maxBackward(fy.a, gyOff, arg, argOff, count, fx.a, gxOff);
        else REF.maxPoolBackward(gy, gyOff, arg, argOff, count, gx, gxOff);
    }

    @Override
    public void avgPool(Buf x, int xOff, PoolShape s, boolean countIncludePad, Buf y, int yOff) {
        REF.avgPool(x, xOff, s, countIncludePad, y, yOff);
    }

    @Override
    public void avgPoolBackward(Buf gy, int gyOff, PoolShape s, boolean countIncludePad, Buf gx, int gxOff) {
        REF.avgPoolBackward(gy, gyOff, s, countIncludePad, gx, gxOff);
    }
}
