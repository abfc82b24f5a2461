package dev.fovea.nn;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;

/**
 * Weight initialisation. He (Kaiming) normal keeps activations' variance constant through ReLU layers
 * (std = gain / sqrt(fan_in), gain = sqrt(2 / (1 + slope^2))); Xavier (Glorot) uniform keeps it constant through
 * symmetric activations such as tanh (limit = sqrt(6 / (fan_in + fan_out))). Fans follow PyTorch: for a
 * convolution weight Cout x Cin/groups x kh x kw, fan_in = Cin/groups * kh * kw and fan_out = Cout * kh * kw.
 */
public enum Init {
    /** Kaiming normal for ReLU-like activations. */
    HE,
    /** Glorot uniform for tanh, sigmoid, softmax and anything else. */
    XAVIER;

    /** Fills {@code w} (shape out x in x ...) in place, drawing from {@code rng}. */
    public void fill(Tensor w, double leakySlope, Rng rng) {
        int[] s = w.shape();
        int receptive = 1;
        for (int i = 2; i < s.length; i++) receptive *= s[i];
        int fanIn = s[1] * receptive, fanOut = s[0] * receptive;
        Tensor v;
        if (this == HE) {
            double std = Math.sqrt(2.0 / (1 + leakySlope * leakySlope)) / Math.sqrt(fanIn);
            v = Tensor.randn(rng, s).mul(std);
        } else {
            double limit = Math.sqrt(6.0 / (fanIn + fanOut));
            v = Tensor.uniform(rng, -limit, limit, s);
        }
        w.copyFrom(v);
    }

    /** The initialisation suited to the activation {@code next} (null when none follows). */
    static Init forActivation(Module next) {
        return next instanceof ReLU || next instanceof LeakyReLU || next instanceof ELU ? HE : XAVIER;
    }
}
