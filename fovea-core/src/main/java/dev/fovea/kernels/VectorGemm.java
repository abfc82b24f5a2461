package dev.fovea.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM on the Vector API, organised as in Goto's and BLIS's papers:
 * <ul>
 *   <li>the k dimension is cut into slices of {@link #KC}, m into blocks of {@link #MC}, n into panels of {@link #NC},
 *       so that a packed A block stays in L2 and a packed B sliver in L1 while the micro-kernel streams them;</li>
 *   <li>packing copies A as MR-row micro-panels (MR values per k step) and B as NR-column micro-panels
 *       (NR values per k step), zero-padded at the edges, so the micro-kernel reads both contiguously and never
 *       branches; transposes and alpha are absorbed by the packing;</li>
 *   <li>the micro-kernel keeps an MR x NR tile of C (8 rows x 3 vectors = 24 registers of the 32 that AVX-512 has)
 *       in registers for a whole k slice: per k step 3 loads of B, 8 broadcasts of A and 24 fused multiply-adds.</li>
 * </ul>
 * Row-major throughout: C = alpha * op(A) * op(B) + beta * C.
 */
final class VectorGemm {
    private VectorGemm() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 8;
    static final int NR = 3 * L;
    static final int KC = 256;
    static final int MC = 96;
    static final int NC = 3072;
    static final int DOTS_KC = 2048;

    /** Per-thread packing buffers and the dot products' lane sums, reused across calls so that steady-state GEMMs allocate nothing. */
    private static final ThreadLocal<float[][]> PACKS = ThreadLocal.withInitial(() -> new float[][] {
            new float[MC * KC], new float[KC * NC], new float[MR * NR], new float[16 * L]});

    static void sgemm(boolean ta, boolean tb, int m, int n, int k, float alpha,
                      float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        scale(m, n, beta, c, offC, ldc);
        if (k == 0 || alpha == 0 || m == 0 || n == 0) return;
        if (!ta && tb && m < 4) {
            // A few rows times B^T: a fully connected layer at batch 1 to 3. Packing B (a strided transpose)
            // cost 7x the dot products at LeNet-5's 400 -> 120 layer (32 us against 4.3 at batch 1).
            for (int i = 0; i < m; i++) rowDots(n, k, alpha, a, offA + i * lda, b, offB, ldb, c, offC + i * ldc);
            return;
        }
        if (!ta && tb && (m <= 32 && k >= 256 || m <= 64 && k >= Math.min(512, 4 * Math.max(m, n)))) {
            // Both operands run along k in memory, A has few rows and k is long (a convolution's weight gradient,
            // a fully connected layer at a small batch): dot products need no packing, where the blocked path
            // would pack far more than it computes. Measured at the LeNet-5 and ResNet-20 shapes: 78-95 GFLOP/s
            // here against 58-60 blocked once k >= 512; below that the blocked path wins at 64 rows (64x576x64:
            // 74 against 25), dots at up to 32 rows once k >= 256 (16x120x400: 28 us against 46).
            dots(m, n, k, alpha, a, offA, lda, b, offB, ldb, null, c, offC, ldc);
            return;
        }
        float[][] packs = PACKS.get();
        float[] pa = packs[0], pb = packs[1], tile = packs[2];
        if (!tb && m <= MC && k <= KC) {
            // Few rows of A (a convolution's output channels) and a short k: each sliver of B is used by only
            // m / MR micro-kernels, so packing B would cost as much as the multiply. Read B in place instead.
            packA(ta, a, offA, lda, 0, m, 0, k, alpha, pa);
            int full = n - n % NR;
            for (int q = 0; q < full; q += NR) {
                for (int r = 0; r < m; r += MR) {
                    microKernel(k, pa, r * k, b, offB + q, ldb, c, offC + r * ldc + q, ldc, Math.min(MR, m - r));
                }
            }
            if (full < n) {
                packB(false, b, offB, ldb, 0, k, full, n - full, pb);
                macroKernel(m, n - full, k, pa, pb, c, offC + full, ldc, tile);
            }
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(tb, b, offB, ldb, pc, kc, jc, nc, pb);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(ta, a, offA, lda, ic, mc, pc, kc, alpha, pa);
                    macroKernel(mc, nc, kc, pa, pb, c, offC + ic * ldc + jc, ldc, tile);
                }
            }
        }
    }

    /**
     * C[i][j] += alpha * dot(A row i, B row j). A 4 x 4 block of dot products is accumulated in 16 registers, so
     * each vector loaded feeds four FMAs; rows past the edge repeat the last row and their results are dropped.
     * k is cut into slices of DOTS_KC: four B rows of a slice (32 KB) stay in L1 while all of A's rows (at most
     * 16, 64 KB) stream from L2. Each block ends with 16 x L scalar additions of lane sums, so slices are long:
     * with KC (256) that epilogue cost as much as the FMAs and the weight gradients ran at 37 GFLOP/s.
     */
    private static void dots(int m, int n, int k, float alpha, float[] a, int offA, int lda, float[] b, int offB, int ldb, int[] bRows,
                             float[] c, int offC, int ldc) {
        // Lane sums of one 4 x 4 block, reused for every block and, per thread, every call: the weight gradient
        // calls this once per image.
        float[] d = PACKS.get()[3];
        int[] ar = new int[4], br = new int[4]; // the block's row starts, for the k tail; per block they were allocated
        for (int pc = 0; pc < k; pc += DOTS_KC) {
            int kc = Math.min(DOTS_KC, k - pc), kv = kc - kc % L;
            for (int j = 0; j < n; j += 4) {
                int b0 = rowStart(bRows, offB, ldb, j) + pc, b1 = rowStart(bRows, offB, ldb, Math.min(j + 1, n - 1)) + pc;
                int b2 = rowStart(bRows, offB, ldb, Math.min(j + 2, n - 1)) + pc, b3 = rowStart(bRows, offB, ldb, Math.min(j + 3, n - 1)) + pc;
                for (int i = 0; i < m; i += 4) {
                    int a0 = offA + i * lda + pc, a1 = offA + Math.min(i + 1, m - 1) * lda + pc;
                    int a2 = offA + Math.min(i + 2, m - 1) * lda + pc, a3 = offA + Math.min(i + 3, m - 1) * lda + pc;
                    FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s02 = FloatVector.zero(S), s03 = FloatVector.zero(S);
                    FloatVector s10 = FloatVector.zero(S), s11 = FloatVector.zero(S), s12 = FloatVector.zero(S), s13 = FloatVector.zero(S);
                    FloatVector s20 = FloatVector.zero(S), s21 = FloatVector.zero(S), s22 = FloatVector.zero(S), s23 = FloatVector.zero(S);
                    FloatVector s30 = FloatVector.zero(S), s31 = FloatVector.zero(S), s32 = FloatVector.zero(S), s33 = FloatVector.zero(S);
                    for (int p = 0; p < kv; p += L) {
                        FloatVector y0 = FloatVector.fromArray(S, b, b0 + p), y1 = FloatVector.fromArray(S, b, b1 + p);
                        FloatVector y2 = FloatVector.fromArray(S, b, b2 + p), y3 = FloatVector.fromArray(S, b, b3 + p);
                        FloatVector x = FloatVector.fromArray(S, a, a0 + p);
                        s00 = x.fma(y0, s00); s01 = x.fma(y1, s01); s02 = x.fma(y2, s02); s03 = x.fma(y3, s03);
                        x = FloatVector.fromArray(S, a, a1 + p);
                        s10 = x.fma(y0, s10); s11 = x.fma(y1, s11); s12 = x.fma(y2, s12); s13 = x.fma(y3, s13);
                        x = FloatVector.fromArray(S, a, a2 + p);
                        s20 = x.fma(y0, s20); s21 = x.fma(y1, s21); s22 = x.fma(y2, s22); s23 = x.fma(y3, s23);
                        x = FloatVector.fromArray(S, a, a3 + p);
                        s30 = x.fma(y0, s30); s31 = x.fma(y1, s31); s32 = x.fma(y2, s32); s33 = x.fma(y3, s33);
                    }
                    // Lanes are summed here in a fixed order: reduceLanes may order its additions differently
                    // before and after the JIT compiles it, which would make runs differ in the last bit.
                    s00.intoArray(d, 0); s01.intoArray(d, L); s02.intoArray(d, 2 * L); s03.intoArray(d, 3 * L);
                    s10.intoArray(d, 4 * L); s11.intoArray(d, 5 * L); s12.intoArray(d, 6 * L); s13.intoArray(d, 7 * L);
                    s20.intoArray(d, 8 * L); s21.intoArray(d, 9 * L); s22.intoArray(d, 10 * L); s23.intoArray(d, 11 * L);
                    s30.intoArray(d, 12 * L); s31.intoArray(d, 13 * L); s32.intoArray(d, 14 * L); s33.intoArray(d, 15 * L);
                    ar[0] = a0; ar[1] = a1; ar[2] = a2; ar[3] = a3;
                    br[0] = b0; br[1] = b1; br[2] = b2; br[3] = b3;
                    for (int ii = 0; ii < 4 && i + ii < m; ii++) {
                        for (int jj = 0; jj < 4 && j + jj < n; jj++) {
                            float v = 0;
                            for (int l = 0, at = (ii * 4 + jj) * L; l < L; l++) v += d[at + l];
                            for (int p = kv; p < kc; p++) v += a[ar[ii] + p] * b[br[jj] + p];
                            c[offC + (i + ii) * ldc + j + jj] += alpha * v;
                        }
                    }
                }
            }
        }
    }

    /** {@link #dots} with B row j starting at {@code bRows[j]}: the rows of an implicit im2col ({@link ImplicitConv}). */
    static void dots(int m, int n, int k, float alpha, float[] a, int offA, int lda, float[] b, int[] bRows, float[] c, int offC, int ldc) {
        dots(m, n, k, alpha, a, offA, lda, b, 0, 0, bRows, c, offC, ldc);
    }

    /** Where B row j starts: {@code rows[j]}, or {@code off + j * ld} without a row table. */
    private static int rowStart(int[] rows, int off, int ld, int j) {
        return rows == null ? off + j * ld : rows[j];
    }

    /**
     * One row of C: {@code c[j] += alpha * dot(a, B row j)}, four B rows at a time so that each vector of {@code a}
     * feeds four FMAs. Lanes are summed in a fixed order, as in {@link #dots}.
     */
    private static void rowDots(int n, int k, float alpha, float[] a, int offA, float[] b, int offB, int ldb, float[] c, int offC) {
        int kv = k - k % L;
        float[] d = PACKS.get()[3];
        int[] br = new int[4];
        for (int j = 0; j < n; j += 4) {
            int b0 = offB + j * ldb, b1 = offB + Math.min(j + 1, n - 1) * ldb;
            int b2 = offB + Math.min(j + 2, n - 1) * ldb, b3 = offB + Math.min(j + 3, n - 1) * ldb;
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            for (int p = 0; p < kv; p += L) {
                FloatVector x = FloatVector.fromArray(S, a, offA + p);
                s0 = x.fma(FloatVector.fromArray(S, b, b0 + p), s0);
                s1 = x.fma(FloatVector.fromArray(S, b, b1 + p), s1);
                s2 = x.fma(FloatVector.fromArray(S, b, b2 + p), s2);
                s3 = x.fma(FloatVector.fromArray(S, b, b3 + p), s3);
            }
            s0.intoArray(d, 0); s1.intoArray(d, L); s2.intoArray(d, 2 * L); s3.intoArray(d, 3 * L);
            br[0] = b0; br[1] = b1; br[2] = b2; br[3] = b3;
            for (int jj = 0; jj < 4 && j + jj < n; jj++) {
                float v = 0;
                for (int l = 0, at = jj * L; l < L; l++) v += d[at + l];
                for (int p = kv; p < k; p++) v += a[offA + p] * b[br[jj] + p];
                c[offC + j + jj] += alpha * v;
            }
        }
    }

    static void scale(int m, int n, float beta, float[] c, int offC, int ldc) {
        if (beta == 1) return;
        for (int i = 0; i < m; i++) {
            int row = offC + i * ldc;
            if (beta == 0) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = 0; j < n; j++) c[row + j] *= beta;
            }
        }
    }

    /** A[ic.., pc..] (mc x kc) into MR-row micro-panels: panel r holds, for each p, rows r*MR .. r*MR+MR-1. */
    private static void packA(boolean ta, float[] a, int offA, int lda, int ic, int mc, int pc, int kc, float alpha, float[] pa) {
        int at = 0;
        for (int r = 0; r < mc; r += MR) {
            int rows = Math.min(MR, mc - r);
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < MR; i++) {
                    float v = 0;
                    if (i < rows) {
                        int row = ic + r + i, col = pc + p;
                        v = alpha * (ta ? a[offA + col * lda + row] : a[offA + row * lda + col]);
                    }
                    pa[at++] = v;
                }
            }
        }
    }

    /** B[pc.., jc..] (kc x nc) into NR-column micro-panels: panel q holds, for each p, columns q*NR .. q*NR+NR-1. */
    private static void packB(boolean tb, float[] b, int offB, int ldb, int pc, int kc, int jc, int nc, float[] pb) {
        for (int q = 0; q < nc; q += NR) {
            int cols = Math.min(NR, nc - q);
            int at = q * kc;
            if (!tb) {
                for (int p = 0; p < kc; p++, at += NR) {
                    int src = offB + (pc + p) * ldb + jc + q;
                    System.arraycopy(b, src, pb, at, cols);
                    if (cols < NR) java.util.Arrays.fill(pb, at + cols, at + NR, 0f);
                }
                continue;
            }
            // Transposed B: walk each source row (one output column) contiguously, writing with stride NR.
            if (cols < NR) java.util.Arrays.fill(pb, at, at + kc * NR, 0f);
            for (int j = 0; j < cols; j++) {
                int src = offB + (jc + q + j) * ldb + pc;
                for (int p = 0; p < kc; p++) pb[at + p * NR + j] = b[src + p];
            }
        }
    }

    private static void macroKernel(int mc, int nc, int kc, float[] pa, float[] pb, float[] c, int offC, int ldc, float[] tile) {
        for (int q = 0; q < nc; q += NR) {
            int cols = Math.min(NR, nc - q);
            int bAt = q * kc;
            for (int r = 0; r < mc; r += MR) {
                int rows = Math.min(MR, mc - r);
                int aAt = r * kc;
                if (cols == NR) {
                    microKernel(kc, pa, aAt, pb, bAt, NR, c, offC + r * ldc + q, ldc, rows);
                } else {
                    java.util.Arrays.fill(tile, 0f);
                    microKernel(kc, pa, aAt, pb, bAt, NR, tile, 0, NR, MR);
                    for (int i = 0; i < rows; i++) {
                        int row = offC + (r + i) * ldc + q;
                        for (int j = 0; j < cols; j++) c[row + j] += tile[i * NR + j];
                    }
                }
            }
        }
    }

    /**
     * C[0..rows, 0..NR] += packed A micro-panel times packed B micro-panel, over kc steps. A is zero-padded to MR
     * rows when fewer remain; the rows past {@code rows} are computed and not stored, so an edge block (a layer
     * with 6 or 12 output channels) writes C directly instead of going through a scratch tile.
     */
    private static void microKernel(int kc, float[] pa, int aAt, float[] pb, int bAt, int bStride, float[] c, int offC, int ldc, int rows) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c62 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S), c72 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = bAt + p * bStride, ai = aAt + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, pb, bi + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
            FloatVector a4 = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42);
            FloatVector a5 = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52);
            FloatVector a6 = FloatVector.broadcast(S, pa[ai + 6]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61); c62 = a6.fma(b2, c62);
            FloatVector a7 = FloatVector.broadcast(S, pa[ai + 7]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71); c72 = a7.fma(b2, c72);
        }
        // Written out rather than through a helper: passing vectors to a call that is not inlined would box them.
        int r0 = offC;
        FloatVector.fromArray(S, c, r0).add(c00).intoArray(c, r0);
        FloatVector.fromArray(S, c, r0 + L).add(c01).intoArray(c, r0 + L);
        FloatVector.fromArray(S, c, r0 + 2 * L).add(c02).intoArray(c, r0 + 2 * L);
        if (rows <= 1) return;
        int r1 = offC + 1 * ldc;
        FloatVector.fromArray(S, c, r1).add(c10).intoArray(c, r1);
        FloatVector.fromArray(S, c, r1 + L).add(c11).intoArray(c, r1 + L);
        FloatVector.fromArray(S, c, r1 + 2 * L).add(c12).intoArray(c, r1 + 2 * L);
        if (rows <= 2) return;
        int r2 = offC + 2 * ldc;
        FloatVector.fromArray(S, c, r2).add(c20).intoArray(c, r2);
        FloatVector.fromArray(S, c, r2 + L).add(c21).intoArray(c, r2 + L);
        FloatVector.fromArray(S, c, r2 + 2 * L).add(c22).intoArray(c, r2 + 2 * L);
        if (rows <= 3) return;
        int r3 = offC + 3 * ldc;
        FloatVector.fromArray(S, c, r3).add(c30).intoArray(c, r3);
        FloatVector.fromArray(S, c, r3 + L).add(c31).intoArray(c, r3 + L);
        FloatVector.fromArray(S, c, r3 + 2 * L).add(c32).intoArray(c, r3 + 2 * L);
        if (rows <= 4) return;
        int r4 = offC + 4 * ldc;
        FloatVector.fromArray(S, c, r4).add(c40).intoArray(c, r4);
        FloatVector.fromArray(S, c, r4 + L).add(c41).intoArray(c, r4 + L);
        FloatVector.fromArray(S, c, r4 + 2 * L).add(c42).intoArray(c, r4 + 2 * L);
        if (rows <= 5) return;
        int r5 = offC + 5 * ldc;
        FloatVector.fromArray(S, c, r5).add(c50).intoArray(c, r5);
        FloatVector.fromArray(S, c, r5 + L).add(c51).intoArray(c, r5 + L);
        FloatVector.fromArray(S, c, r5 + 2 * L).add(c52).intoArray(c, r5 + 2 * L);
        if (rows <= 6) return;
        int r6 = offC + 6 * ldc;
        FloatVector.fromArray(S, c, r6).add(c60).intoArray(c, r6);
        FloatVector.fromArray(S, c, r6 + L).add(c61).intoArray(c, r6 + L);
        FloatVector.fromArray(S, c, r6 + 2 * L).add(c62).intoArray(c, r6 + 2 * L);
        if (rows <= 7) return;
        int r7 = offC + 7 * ldc;
        FloatVector.fromArray(S, c, r7).add(c70).intoArray(c, r7);
        FloatVector.fromArray(S, c, r7 + L).add(c71).intoArray(c, r7 + L);
        FloatVector.fromArray(S, c, r7 + 2 * L).add(c72).intoArray(c, r7 + 2 * L);
    }
}
