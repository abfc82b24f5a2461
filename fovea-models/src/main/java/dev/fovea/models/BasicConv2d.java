package dev.fovea.models;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torchvision's {@code BasicConv2d}, the unit of its GoogLeNet and Inception-v3: a convolution without bias, batch
 * norm (eps 0.001, as in those models) and ReLU, named {@code conv} and {@code bn}. Kernels, strides and paddings
 * are (height, width) pairs, so the asymmetric 1x7 and 7x1 convolutions of Inception-v3 are BasicConv2ds too.
 */
public final class BasicConv2d extends Module {
    private final int in, out;
    private final int[] kernel, stride, padding;
    private final double eps;
    private final Conv2d conv;
    private final BatchNorm2d bn;

    public BasicConv2d(int in, int out, int[] kernel, int[] stride, int[] padding, double eps) {
        this.in = in;
        this.out = out;
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.eps = eps;
        conv = registerModule("conv", new Conv2d(in, out, kernel, stride, padding, new int[] {1, 1}, 1, false));
        bn = registerModule("bn", new BatchNorm2d(out, eps, 0.1, true));
    }

    /** Square kernel, batch norm eps 0.001. */
    public BasicConv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding}, 0.001);
    }

    /** A kh x kw kernel with stride 1, padded to keep the size (odd kernels): Inception-v3's 1x7 and 7x1. */
    public static BasicConv2d same(int in, int out, int kh, int kw) {
        return new BasicConv2d(in, out, new int[] {kh, kw}, new int[] {1, 1}, new int[] {kh / 2, kw / 2}, 0.001);
    }

    @Override
    public Tensor forward(Tensor x) {
        return bn.call(conv.call(x)).relu();
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("out", out);
        c.put("kernel", kernel.clone());
        c.put("stride", stride.clone());
        c.put("padding", padding.clone());
        c.put("eps", eps);
        return c;
    }
}
