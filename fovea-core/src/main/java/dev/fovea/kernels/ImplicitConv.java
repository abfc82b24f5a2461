package dev.fovea.kernels;

import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

/**
 * Stride-1 convolution as a GEMM whose column matrix is never built ("implicit GEMM"). Images are copied into a
 * zero-padded buffer P, stacked one above the other as one tall image: each row is {@code Wq = max(W + pw, ow)}
 * wide and starts with its {@code pw} zeros of left padding, which are also the right padding of the row before;
 * each image takes {@code max(H + ph, oh)} rows, the {@code ph} zero rows after its data being the bottom padding of
 * one image and the top padding of the next. Output pixels are numbered in P's row width, {@code n = t * Wq + x},
 * so that input tap (ci, ky, kx) of output pixel n sits at {@code P[off(ci, ky, kx) + n]} with
 * {@code off = ci * plane + ky * dh * Wq + kx * dw}. Row k of im2col's matrix is therefore P itself, shifted by
 * {@code off(k)}: the GEMM reads its B operand straight from P through a table of row offsets, where im2col wrote
 * 9 copies of every pixel (for a 3x3 kernel) and the GEMM read them back. The grid's extra columns and rows (one
 * column per row and one row per image for a same-padded 3x3 layer: 88% of the pixels computed are kept at 16x16,
 * 79% at 8x8) are computed and dropped.
 * <pre>
 *   forward:      y[o][n]  = sum_k w[o][k] * P[off(k) + n]              (micro-kernel on packed w, B from P)
 *   weight grad:  gw[o][k] += sum_n gy'[o][n] * P[off(k) + n]           (dot products; gy' is gy on the grid,
 *                                                                       zero in the dropped pixels)
 * </pre>
 * Stacking (rather than one image per call) makes the weight gradient's dot products long enough that their
 * per-block epilogue no longer costs as much as the products at 16x16, and lets 8x8 maps leave im2col.
 */
final class ImplicitConv {
    private ImplicitConv() {}

    private static final int L = VectorGemm.L, MR = VectorGemm.MR, NR = VectorGemm.NR, KC = VectorGemm.KC;

    /**
     * About how many grid pixels one stack holds. The GEMM of the forward pass measured best at 2048 (64 channels
     * at 8x8: 8.3 ms per batch of 128 on one thread, 9.0 at 8192); the weight gradient's dot products at 8192,
     * where their epilogue is spread over more pixels (32 channels at 16x16: 8.8 ms, 9.8 at 2048).
     */
    private static final int FORWARD_PIXELS = 2048, WEIGHT_GRAD_PIXELS = 8192;

    /** Per-thread scratch: the padded images, the output (or gy) on the grid, packed weights, row offsets. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        float[] padded = new float[0], wide = new float[0], packed = new float[0];
        int[] offsets = new int[0];

        float[] padded(int n) {
            if (padded.length < n) padded = new float[n];
            return padded;
        }

        float[] wide(int n) {
            if (wide.length < n) wide = new float[n];
            return wide;
        }

        float[] packed(int n) {
            if (packed.length < n) packed = new float[n];
            return packed;
        }
    }

    /** The stacked layout of a shape: row width, rows per image. */
    private record Grid(int wq, int rowsPer) {
        static Grid of(ConvShape s) {
            return new Grid(Math.max(s.w() + s.pw(), s.outW()), Math.max(s.h() + s.ph(), s.outH()));
        }

        /** Grid pixels of {@code nb} stacked images: the last one needs only its output rows. */
        int pixels(ConvShape s, int nb) {
            return ((nb - 1) * rowsPer + s.outH()) * wq;
        }

        int imagesPerCall(int count, int pixels) {
            return Math.max(1, Math.min(count, pixels / (rowsPer * wq)));
        }
    }

    /**
     * Whether this class should run the shape: stride 1 in both directions, and at least 75% of the grid's pixels
     * kept. A same-padded 3x3 layer keeps 79% at 8x8 (measured faster than im2col there), 88% at 16x16, 94% at
     * 32x32; LeNet-5's 5x5 valid layer on 14x14 maps keeps 51% and stays on im2col.
     */
    static boolean applies(ConvShape s) {
        if (s.sh() != 1 || s.sw() != 1) return false;
        Grid g = Grid.of(s);
        return (long) s.outH() * s.outW() >= 0.75 * g.rowsPer() * g.wq();
    }

    /**
     * y (overwritten) = conv(x, w[og][colRows]) for {@code count} images: image i's {@code s.c()} channels at
     * {@code xOff + i * xStride}, its {@code og} output channels at {@code yOff + i * yStride}.
     */
    static void forward(float[] x, int xOff, int xStride, int count, ConvShape s, float[] w, int wOff, int og, float[] y, int yOff, int yStride) {
        Scratch sc = SCRATCH.get();
        Grid g = Grid.of(s);
        int oh = s.outH(), ow = s.outW(), k = s.colRows(), nb = g.imagesPerCall(count, FORWARD_PIXELS);
        for (int i0 = 0; i0 < count; i0 += nb) {
            int cnt = Math.min(nb, count - i0), nOut = g.pixels(s, cnt), nPad = (nOut + NR - 1) / NR * NR;
            float[] p = pad(sc, x, xOff + i0 * xStride, xStride, cnt, s, g, nPad);
            int[] off = sc.offsets;
            float[] out = sc.wide(og * nPad);
            Arrays.fill(out, 0, og * nPad, 0f);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] pa = sc.packed((og + MR - 1) / MR * MR * kc);
                packA(w, wOff, k, og, pc, kc, pa);
                for (int q = 0; q < nPad; q += NR) {
                    for (int r = 0; r < og; r += MR) microKernel(kc, pa, r * kc, p, off, pc, q, out, r * nPad + q, nPad, Math.min(MR, og - r));
                }
            }
            for (int j = 0; j < cnt; j++) {
                int yBase = yOff + (i0 + j) * yStride;
                for (int o = 0; o < og; o++) {
                    for (int yy = 0; yy < oh; yy++) {
                        System.arraycopy(out, o * nPad + (j * g.rowsPer() + yy) * g.wq(), y, yBase + (o * oh + yy) * ow, ow);
                    }
                }
            }
        }
    }

    /**
     * gw[og][colRows] += the weight gradient of {@code count} images (x as in {@link #forward}; image i's gy,
     * {@code og x oh x ow}, at {@code gyOff + i * gyStride}).
     */
    static void weightGrad(float[] x, int xOff, int xStride, int count, ConvShape s, float[] gy, int gyOff, int gyStride, int og,
                           float[] gw, int gwOff) {
        Scratch sc = SCRATCH.get();
        Grid g = Grid.of(s);
        int oh = s.outH(), ow = s.outW(), k = s.colRows(), nb = g.imagesPerCall(count, WEIGHT_GRAD_PIXELS);
        for (int i0 = 0; i0 < count; i0 += nb) {
            int cnt = Math.min(nb, count - i0), nOut = g.pixels(s, cnt);
            float[] p = pad(sc, x, xOff + i0 * xStride, xStride, cnt, s, g, nOut);
            float[] wide = sc.wide(og * nOut);
            Arrays.fill(wide, 0, og * nOut, 0f);
            for (int j = 0; j < cnt; j++) {
                int gyBase = gyOff + (i0 + j) * gyStride;
                for (int o = 0; o < og; o++) {
                    for (int yy = 0; yy < oh; yy++) {
                        System.arraycopy(gy, gyBase + (o * oh + yy) * ow, wide, o * nOut + (j * g.rowsPer() + yy) * g.wq(), ow);
                    }
                }
            }
            VectorGemm.dots(og, k, nOut, 1f, wide, 0, nOut, p, sc.offsets, gw, gwOff, k);
        }
    }

    /**
     * Copies {@code cnt} images into the scratch P, stacked on the grid with their zero borders, and fills the
     * row-offset table; P is long enough for {@code reach} pixels to be read from the last row offset.
     */
    private static float[] pad(Scratch sc, float[] x, int xOff, int xStride, int cnt, ConvShape s, Grid g, int reach) {
        int c = s.c(), h = s.h(), w = s.w(), ph = s.ph(), pw = s.pw(), wq = g.wq();
        int plane = (ph + cnt * g.rowsPer()) * wq;
        int k = s.colRows();
        if (sc.offsets.length < k) sc.offsets = new int[k];
        int[] off = sc.offsets;
        int at = 0;
        for (int ci = 0; ci < c; ci++) {
            for (int ky = 0; ky < s.kh(); ky++) {
                for (int kx = 0; kx < s.kw(); kx++) off[at++] = ci * plane + ky * s.dh() * wq + kx * s.dw();
            }
        }
        // pw more: the right padding of the last row of the last channel is the next row's left padding.
        int length = Math.max(c * plane + pw, off[k - 1] + reach);
        float[] p = sc.padded(length);
        Arrays.fill(p, 0, length, 0f);
        for (int j = 0; j < cnt; j++) {
            for (int ci = 0; ci < c; ci++) {
                int src = xOff + j * xStride + ci * h * w, dst = ci * plane + (ph + j * g.rowsPer()) * wq + pw;
                for (int yy = 0; yy < h; yy++) System.arraycopy(x, src + yy * w, p, dst + yy * wq, w);
            }
        }
        return p;
    }

    /** w[0..og)[pc..pc+kc) into MR-row micro-panels (rows past og are zero), as the GEMM packs A. */
    private static void packA(float[] w, int wOff, int k, int og, int pc, int kc, float[] pa) {
        int at = 0;
        for (int r = 0; r < og; r += MR) {
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < MR; i++) pa[at++] = r + i < og ? w[wOff + (r + i) * k + pc + p] : 0f;
            }
        }
    }

    /**
     * The GEMM's 8 x 3L register tile ({@link VectorGemm}'s micro-kernel) with B row p read from
     * {@code b[off[pc + p] + q]}: C[rows][3L] += A panel * B rows. Only {@code rows} rows of C are stored.
     * It is a copy on purpose: VectorGemm's kernel taking a row-offset table as well (one more load per k step)
     * measured 3-10% slower at the GEMM shapes of the benchmarks, with the OpenBLAS target only 9% away.
     */
    private static void microKernel(int kc, float[] pa, int aAt, float[] b, int[] off, int pc, int q, float[] c, int offC, int ldc, int rows) {
        var S = VectorGemm.S;
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c62 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S), c72 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = off[pc + p] + q, ai = aAt + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L);
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
        // Written out, as in VectorGemm: vectors passed to a call that is not inlined would be boxed.
        int r0 = offC;
        FloatVector.fromArray(S, c, r0).add(c00).intoArray(c, r0);
        FloatVector.fromArray(S, c, r0 + L).add(c01).intoArray(c, r0 + L);
        FloatVector.fromArray(S, c, r0 + 2 * L).add(c02).intoArray(c, r0 + 2 * L);
        if (rows <= 1) return;
        int r1 = offC + ldc;
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
