package dev.fovea.kernels;

/** Plain loops a reader can check; the ground truth every faster kernel is tested against. */
final class ReferenceKernels implements Kernels {
    static final ReferenceKernels INSTANCE = new ReferenceKernels();

    private ReferenceKernels() {}

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                     Buf a, int offA, int lda, Buf b, int offB, int ldb, double beta, Buf c, int offC, int ldc) {
        Gemm.gemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    }

    @Override
    public void im2col(Buf x, int xOff, ConvShape s, Buf col, int colOff, int ldCol) {
        Im2col.im2col(x, xOff, s, col, colOff, ldCol);
    }

    @Override
    public void col2im(Buf col, int colOff, ConvShape s, Buf gx, int gxOff, int ldCol) {
        Im2col.col2im(col, colOff, s, gx, gxOff, ldCol);
    }

    @Override
    public void maxPool(Buf x, int xOff, PoolShape s, Buf y, int yOff, int[] arg, int argOff) {
        Pool.maxForward(x, xOff, s, y, yOff, arg, argOff);
    }

    @Override
    public void maxPoolBackward(Buf gy, int gyOff, int[] arg, int argOff, int count, Buf gx, int gxOff) {
        Pool.maxBackward(gy, gyOff, arg, argOff, count, gx, gxOff);
    }

    @Override
    public void avgPool(Buf x, int xOff, PoolShape s, boolean countIncludePad, Buf y, int yOff) {
        Pool.avgForward(x, xOff, s, countIncludePad, y, yOff);
    }

    @Override
    public void avgPoolBackward(Buf gy, int gyOff, PoolShape s, boolean countIncludePad, Buf gx, int gxOff) {
        Pool.avgBackward(gy, gyOff, s, countIncludePad, gx, gxOff);
    }
}
