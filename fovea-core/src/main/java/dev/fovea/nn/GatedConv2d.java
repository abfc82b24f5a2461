package dev.fovea.nn;

import dev.fovea.tensor.ChannelOps;
import dev.fovea.tensor.Convolution;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A gated convolution, {@code GatedConv2d(in, out, kernel, stride, padding, dilation, bias)}: two convolutions A and
 * B of the same geometry, combined as
 * <pre>
 *   y = A(x) * sigmoid(B(x))
 * </pre>
 * (the gated linear unit of Dauphin et al. 2017 applied to convolutions). It is computed as one convolution with
 * {@code 2 * out} output channels followed by {@link GLU GLU(1)}, which is the same thing: the first {@code out}
 * output channels of the joint convolution are A, the last {@code out} are B. Accordingly the parameter
 * {@code weight} has shape {@code 2*out x in x kh x kw} (rows {@code 0..out-1} are A's weights, {@code out..2*out-1}
 * B's) and {@code bias} has {@code 2*out} values, A's then B's. Each half is initialised on its own, as two separate
 * convolutions would be (He by default; biases zero).
 */
public final class GatedConv2d extends Module implements Initializable {
    private final int in, out;
    private final int[] kernel, stride, padding, dilation;
    private final boolean hasBias;

    public GatedConv2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0);
    }

    public GatedConv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, stride, padding, 1, true);
    }

    public GatedConv2d(int in, int out, int kernel, int stride, int padding, int dilation, boolean bias) {
        this(in, out, Pair.of(kernel), Pair.of(stride), Pair.of(padding), Pair.of(dilation), bias);
    }

    public GatedConv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean bias) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("GatedConv2d: channel counts must be positive, got in=" + in + ", out=" + out);
        this.in = in;
        this.out = out;
        this.kernel = Pair.of(kernel, "kernel");
        this.stride = Pair.of(stride, "stride");
        this.padding = Pair.of(padding, "padding");
        this.dilation = Pair.of(dilation, "dilation");
        this.hasBias = bias;
        registerParameter("weight", Tensor.zeros(2 * out, in, this.kernel[0], this.kernel[1]));
        if (bias) registerParameter("bias", Tensor.zeros(2 * out));
        resetParameters(Init.HE, 0);
    }

    @Override
    public void resetParameters(Init init, double leakySlope) {
        Tensor w = param("weight");
        for (int half = 0; half < 2; half++) {
            Tensor part = Tensor.zeros(out, in, kernel[0], kernel[1]);
            init.fill(part, leakySlope, Rng.global());
            w.slice(0, half * out, (half + 1) * out).copyFrom(part);
        }
        if (hasBias) param("bias").copyFrom(Tensor.zeros(2 * out));
    }

    /** Both convolutions' weights, 2*out x in x kh x kw: A's rows first, then B's. */
    public Tensor weight() {
        return param("weight");
    }

    /** Both convolutions' biases, A's then B's; null without bias. */
    public Tensor bias() {
        return param("bias");
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor both = Convolution.conv2d(x, weight(), bias(), stride, padding, dilation, 1);
        return ChannelOps.glu(both, 1);
    }

    @Override
    public long multiplyAdds(int[] inputShape, int[] outputShape) {
        return 2L * outputShape[1] * outputShape[2] * outputShape[3] * in * kernel[0] * kernel[1];
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("out", out);
        c.put("kernel", kernel.clone());
        c.put("stride", stride.clone());
        c.put("padding", padding.clone());
        c.put("dilation", dilation.clone());
        c.put("bias", hasBias);
        return c;
    }
}
