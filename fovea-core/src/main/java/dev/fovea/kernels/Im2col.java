package dev.fovea.kernels;

/**
 * im2col unrolls every receptive field of one image into a column, so that a convolution becomes one matrix
 * multiply: col[(ch*kh + i)*kw + j][oy*outW + ox] = x[ch][oy*sh - ph + i*dh][ox*sw - pw + j*dw] (0 outside).
 * col2im is its adjoint: it adds each column entry back to the pixel it came from. Rows of the column matrix are
 * {@code ldCol} apart, so the columns of several images can sit side by side in one matrix.
 */
final class Im2col {
    private Im2col() {}

    static void im2col(Buf x, int xOff, ConvShape s, Buf col, int colOff, int ldCol) {
        int oh = s.outH(), ow = s.outW();
        int row = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            for (int i = 0; i < s.kh(); i++) {
                for (int j = 0; j < s.kw(); j++, row++) {
                    int dst = colOff + row * ldCol;
                    for (int oy = 0; oy < oh; oy++) {
                        int y = oy * s.sh() - s.ph() + i * s.dh();
                        boolean rowInside = y >= 0 && y < s.h();
                        int src = xOff + (ch * s.h() + y) * s.w();
                        for (int ox = 0; ox < ow; ox++, dst++) {
                            int xx = ox * s.sw() - s.pw() + j * s.dw();
                            col.set(dst, rowInside && xx >= 0 && xx < s.w() ? x.get(src + xx) : 0);
                        }
                    }
                }
            }
        }
    }

    static void col2im(Buf col, int colOff, ConvShape s, Buf gx, int gxOff, int ldCol) {
        int oh = s.outH(), ow = s.outW();
        int row = 0;
        for (int ch = 0; ch < s.c(); ch++) {
            for (int i = 0; i < s.kh(); i++) {
                for (int j = 0; j < s.kw(); j++, row++) {
                    int src = colOff + row * ldCol;
                    for (int oy = 0; oy < oh; oy++) {
                        int y = oy * s.sh() - s.ph() + i * s.dh();
                        if (y < 0 || y >= s.h()) {
                            src += ow;
                            continue;
                        }
                        int dst = gxOff + (ch * s.h() + y) * s.w();
                        for (int ox = 0; ox < ow; ox++, src++) {
                            int xx = ox * s.sw() - s.pw() + j * s.dw();
                            if (xx >= 0 && xx < s.w()) gx.add(dst + xx, col.get(src));
                        }
                    }
                }
            }
        }
    }
}
