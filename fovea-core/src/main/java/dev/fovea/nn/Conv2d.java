package dev.fovea.nn;

import dev.fovea.tensor.Convolution;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * 2-D convolution layer, {@code Conv2d(in, out, kernel, stride, padding, dilation, groups, bias)} as in PyTorch.
 * Kernels may be rectangular (1xn, nx1). Padding is numbers or "valid" (none) or "same" (output size equals input
 * size; stride 1 only; when the total padding is odd the extra row and column go bottom and right, as in PyTorch).
 * Weights have shape out x in/groups x kh x kw; by default He-initialised, biases zero.
 */
public final class Conv2d extends Module implements Initializable {
    private final int in, out, groups;
    private final int[] kernel, stride, padding, dilation;
    private final String paddingMode;
    private final boolean hasBias;

    public Conv2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, stride, padding, 1, 1, true);
    }

    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias) {
        this(in, out, Pair.of(kernel), Pair.of(stride), Pair.of(padding), Pair.of(dilation), groups, bias);
    }

    /** Padding "same" or "valid". */
    public Conv2d(int in, int out, int kernel, int stride, String padding) {
        this(in, out, Pair.of(kernel), Pair.of(stride), padding, Pair.of(1), 1, true);
    }

    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias) {
        this(in, out, kernel, stride, null, padding, dilation, groups, bias);
    }

    public Conv2d(int in, int out, int[] kernel, int[] stride, String padding, int[] dilation, int groups, boolean bias) {
        this(in, out, kernel, stride, padding, new int[] {0, 0}, dilation, groups, bias);
    }

    private Conv2d(int in, int out, int[] kernel, int[] stride, String mode, int[] padding, int[] dilation, int groups, boolean bias) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("Conv2d: channel counts must be positive, got in=" + in + ", out=" + out);
        if (groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv2d: groups=" + groups + " must divide in=" + in + " and out=" + out);
        }
        this.in = in;
        this.out = out;
        this.groups = groups;
        this.kernel = Pair.of(kernel, "kernel");
        this.stride = Pair.of(stride, "stride");
        this.dilation = Pair.of(dilation, "dilation");
        this.hasBias = bias;
        if (mode != null) {
            if (!mode.equals("same") && !mode.equals("valid")) {
                throw new IllegalArgumentException("Conv2d: padding must be a number, \"same\" or \"valid\", got \"" + mode + "\"");
            }
            if (mode.equals("same") && (this.stride[0] != 1 || this.stride[1] != 1)) {
                throw new IllegalArgumentException("Conv2d: padding=\"same\" needs stride 1 (as in PyTorch), got stride " + this.stride[0] + "x" + this.stride[1]);
            }
            this.paddingMode = mode;
            this.padding = new int[] {0, 0};
        } else {
            this.paddingMode = null;
            this.padding = Pair.of(padding, "padding");
        }
        registerParameter("weight", Tensor.zeros(out, in / groups, this.kernel[0], this.kernel[1]));
        if (bias) registerParameter("bias", Tensor.zeros(out));
        resetParameters(Init.HE, 0);
    }

    @Override
    public void resetParameters(Init init, double leakySlope) {
        init.fill(param("weight"), leakySlope, Rng.global());
        if (hasBias) param("bias").copyFrom(Tensor.zeros(out));
    }

    /** The same geometry with a bias (zero) and fresh weights: the target of batch-norm folding. */
    Conv2d withBias() {
        return new Conv2d(in, out, kernel, stride, paddingMode, padding, dilation, groups, true);
    }

    public Tensor weight() {
        return param("weight");
    }

    public Tensor bias() {
        return param("bias");
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] pad = padding;
        if ("same".equals(paddingMode)) {
            int th = dilation[0] * (kernel[0] - 1), tw = dilation[1] * (kernel[1] - 1);
            pad = new int[] {th / 2, tw / 2};
            if (th % 2 != 0 || tw % 2 != 0) x = x.pad2d(0, th % 2, 0, tw % 2);
        }
        return Convolution.conv2d(x, weight(), bias(), stride, pad, dilation, groups);
    }

    @Override
    public long multiplyAdds(int[] inputShape, int[] outputShape) {
        return (long) outputShape[1] * outputShape[2] * outputShape[3] * (in / groups) * kernel[0] * kernel[1];
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("out", out);
        c.put("kernel", kernel.clone());
        c.put("stride", stride.clone());
        c.put("padding", paddingMode != null ? paddingMode : padding.clone());
        c.put("dilation", dilation.clone());
        c.put("groups", groups);
        c.put("bias", hasBias);
        return c;
    }
}
