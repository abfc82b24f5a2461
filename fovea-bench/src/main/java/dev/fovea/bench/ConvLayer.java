package dev.fovea.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A convolution layer of the benchmark workloads, stride 1, square input and kernel.
 *
 * @param name  e.g. {@code lenet.conv1} or {@code resnet.16x32x32}
 * @param batch images per mini-batch
 * @param cin   input channels
 * @param cout  output channels
 * @param size  input height and width
 * @param k     kernel height and width
 * @param pad   zero padding on each side
 * @param bias  whether the layer has a bias
 */
public record ConvLayer(String name, int batch, int cin, int cout, int size, int k, int pad, boolean bias) {

    /** The LeNet-5 convolutions (batch 64) and the three ResNet-20 stage convolutions (batch 128). */
    public static final List<ConvLayer> ALL = List.of(
            new ConvLayer("lenet.conv1", 64, 1, 6, 28, 5, 2, true),
            new ConvLayer("lenet.conv2", 64, 6, 16, 14, 5, 0, true),
            new ConvLayer("resnet.16x32x32", 128, 16, 16, 32, 3, 1, false),
            new ConvLayer("resnet.32x16x16", 128, 32, 32, 16, 3, 1, false),
            new ConvLayer("resnet.64x8x8", 128, 64, 64, 8, 3, 1, false));

    /**
     * Numbers one im2col matrix may hold before the batch is cut into groups of images, as Fovea's
     * {@code Convolution} does (2^22 floats, 16 MB), so the GEMM shapes below are the ones it runs.
     */
    public static final int COL_BUDGET = 1 << 22;

    public static ConvLayer named(String name) {
        for (ConvLayer l : ALL) if (l.name.equals(name)) return l;
        throw new IllegalArgumentException("unknown layer '" + name + "'");
    }

    public int out() {
        return size + 2 * pad - k + 1;
    }

    /** Output pixels per image. */
    public int opix() {
        return out() * out();
    }

    /** Rows of the im2col matrix: input channels times kernel positions. */
    public int colRows() {
        return cin * k * k;
    }

    /** Floating-point operations of one pass (forward, input gradient or weight gradient) over the mini-batch. */
    public double flops() {
        return 2.0 * batch * cout * opix() * colRows();
    }

    /** Images whose im2col matrices sit side by side in one GEMM. */
    public int imagesPerGemm() {
        return Math.max(1, Math.min(batch, COL_BUDGET / Math.max(1, colRows() * opix())));
    }

    /**
     * The three GEMMs of im2col convolution for {@link #imagesPerGemm()} images (row-major, Fovea's order):
     * forward Y = W . col (M = Cout, N = pixels, K = Cin*k*k); weight gradient dW = dY . col^T (M = Cout,
     * N = Cin*k*k, K = pixels, B transposed); input gradient dcol = W^T . dY (M = Cin*k*k, N = pixels, K = Cout,
     * A transposed).
     */
    public List<GemmShape> gemms() {
        int pix = imagesPerGemm() * opix(), rows = colRows();
        List<GemmShape> g = new ArrayList<>();
        g.add(new GemmShape(name + ".fwd", false, false, cout, pix, rows));
        g.add(new GemmShape(name + ".wgrad", false, true, cout, rows, pix));
        g.add(new GemmShape(name + ".igrad", true, false, rows, pix, cout));
        return g;
    }
}
