package dev.fovea.nn;

import dev.fovea.tensor.MatMul;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** Fully connected layer y = x W^T + b, W of shape out x in (PyTorch's layout); He-initialised by default. */
public final class Linear extends Module implements Initializable {
    private final int in, out;
    private final boolean hasBias;

    public Linear(int in, int out) {
        this(in, out, true);
    }

    public Linear(int in, int out, boolean bias) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("Linear: feature counts must be positive, got in=" + in + ", out=" + out);
        this.in = in;
        this.out = out;
        this.hasBias = bias;
        registerParameter("weight", Tensor.zeros(out, in));
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

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 2) {
            throw new IllegalArgumentException("Linear(" + in + ", " + out + "): input must be batch x " + in + ", got shape "
                    + java.util.Arrays.toString(x.shape()) + " (add a Flatten before it)");
        }
        return MatMul.linear(x, weight(), bias());
    }

    @Override
    public long multiplyAdds(int[] inputShape, int[] outputShape) {
        return (long) in * out;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("out", out);
        c.put("bias", hasBias);
        return c;
    }
}
