package dev.fovea.nn;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.TransposedConvolution;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * 2-D transposed convolution layer, {@code ConvTranspose2d(in, out, kernel, stride, padding, outputPadding, groups,
 * bias, dilation)} in {@code torch.nn.ConvTranspose2d}'s argument order; see
 * {@link TransposedConvolution#convTranspose2d} for the definition. Output size per axis, as in PyTorch:
 * <pre>
 *   out = (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1
 * </pre>
 * so {@code ConvTranspose2d(c, c', k, s, p)} takes a map of the size {@code Conv2d(c', c, k, s, p)} produces back
 * to the size that convolution read, with {@code outputPadding} (smaller than the stride or the dilation) choosing
 * among the sizes a strided convolution maps to the same one. The weight has PyTorch's shape
 * {@code in x out/groups x kh x kw}, so it can be shared with (or loaded from) a {@code Conv2d(out, in, ...)} whose
 * weight has the same shape. By default it is He-initialised with the fan-in read from the weight's shape as
 * PyTorch does ({@code out/groups * kh * kw}); biases are zero.
 */
public final class ConvTranspose2d extends Module implements Initializable {
    private final int in, out, groups;
    private final int[] kernel, stride, padding, outputPadding, dilation;
    private final boolean hasBias;

    public ConvTranspose2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0);
    }

    public ConvTranspose2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, stride, padding, 0);
    }

    public ConvTranspose2d(int in, int out, int kernel, int stride, int padding, int outputPadding) {
        this(in, out, kernel, stride, padding, outputPadding, 1, true, 1);
    }

    /** PyTorch's order: ..., groups, bias, dilation. */
    public ConvTranspose2d(int in, int out, int kernel, int stride, int padding, int outputPadding, int groups, boolean bias, int dilation) {
        this(in, out, Pair.of(kernel), Pair.of(stride), Pair.of(padding), Pair.of(outputPadding), groups, bias, Pair.of(dilation));
    }

    /** The same with dilation before bias, the order of {@link Conv2d}'s trailing arguments. */
    public ConvTranspose2d(int in, int out, int kernel, int stride, int padding, int outputPadding, int groups, int dilation, boolean bias) {
        this(in, out, kernel, stride, padding, outputPadding, groups, bias, dilation);
    }

    public ConvTranspose2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] outputPadding, int groups, boolean bias, int[] dilation) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("ConvTranspose2d: channel counts must be positive, got in=" + in + ", out=" + out);
        if (groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("ConvTranspose2d: groups=" + groups + " must divide in=" + in + " and out=" + out);
        }
        this.in = in;
        this.out = out;
        this.groups = groups;
        this.kernel = Pair.of(kernel, "kernel");
        this.stride = Pair.of(stride, "stride");
        this.padding = Pair.of(padding, "padding");
        this.outputPadding = Pair.of(outputPadding, "outputPadding");
        this.dilation = Pair.of(dilation, "dilation");
        this.hasBias = bias;
        for (int a = 0; a < 2; a++) {
            if (this.kernel[a] < 1 || this.stride[a] < 1 || this.dilation[a] < 1) {
                throw new IllegalArgumentException("ConvTranspose2d: kernel, stride and dilation must be positive");
            }
            if (this.padding[a] < 0 || this.outputPadding[a] < 0) {
                throw new IllegalArgumentException("ConvTranspose2d: padding and outputPadding must not be negative");
            }
            if (this.outputPadding[a] >= this.stride[a] && this.outputPadding[a] >= this.dilation[a]) {
                throw new IllegalArgumentException("ConvTranspose2d: outputPadding " + this.outputPadding[0] + "x" + this.outputPadding[1]
                        + " must be smaller than either stride " + this.stride[0] + "x" + this.stride[1] + " or dilation " + this.dilation[0] + "x" + this.dilation[1]);
            }
        }
        registerParameter("weight", Tensor.zeros(in, out / groups, this.kernel[0], this.kernel[1]));
        if (bias) registerParameter("bias", Tensor.zeros(out));
        resetParameters(Init.HE, 0);
    }

    @Override
    public void resetParameters(Init init, double leakySlope) {
        init.fill(param("weight"), leakySlope, Rng.global());
        if (hasBias) param("bias").copyFrom(Tensor.zeros(out));
    }

    public Tensor weight() {
        return param("weight");
    }

    public Tensor bias() {
        return param("bias");
    }

    /** The output height and width for an input of {@code h x w}. */
    public int[] outputSize(int h, int w) {
        return new int[] {
                TransposedConvolution.outSize(h, kernel[0], stride[0], padding[0], outputPadding[0], dilation[0]),
                TransposedConvolution.outSize(w, kernel[1], stride[1], padding[1], outputPadding[1], dilation[1])};
    }

    @Override
    public Tensor forward(Tensor x) {
        return TransposedConvolution.convTranspose2d(x, weight(), bias(), stride, padding, outputPadding, groups, dilation);
    }

    /** Every input pixel of every input channel meets out/groups x kh x kw weights. */
    @Override
    public long multiplyAdds(int[] inputShape, int[] outputShape) {
        return (long) inputShape[1] * inputShape[2] * inputShape[3] * (out / groups) * kernel[0] * kernel[1];
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("out", out);
        c.put("kernel", kernel.clone());
        c.put("stride", stride.clone());
        c.put("padding", padding.clone());
        c.put("outputPadding", outputPadding.clone());
        c.put("groups", groups);
        c.put("bias", hasBias);
        c.put("dilation", dilation.clone());
        return c;
    }
}
