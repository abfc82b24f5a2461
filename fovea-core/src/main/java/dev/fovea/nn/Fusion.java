package dev.fovea.nn;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a trained model for inference. {@link #foldBatchNorm} merges each BatchNorm2d that directly follows a
 * Conv2d into the convolution, since in evaluation batch norm is a fixed per-channel affine map:
 * <pre>
 *   s = gamma / sqrt(running_var + eps)
 *   W' = W * s (per output channel),   b' = (b - running_mean) * s + beta
 * </pre>
 * The result computes the same function in evaluation mode with one pass over the data fewer per pair.
 * It looks inside {@link Sequential} containers (nested ones included); pairs inside other composite modules are
 * left as they are.
 */
public final class Fusion {
    private Fusion() {}

    /** A new Sequential, in evaluation mode, with every Conv2d + BatchNorm2d pair folded into one Conv2d. */
    public static Sequential foldBatchNorm(Sequential model) {
        List<Module> out = new ArrayList<>();
        List<Module> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            if (m instanceof Sequential s) {
                out.add(foldBatchNorm(s));
            } else if (m instanceof Conv2d conv && i + 1 < layers.size() && layers.get(i + 1) instanceof BatchNorm2d bn) {
                out.add(fold(conv, bn));
                i++;
            } else {
                out.add(m);
            }
        }
        // Building a Sequential re-initialises its layers; a private generator keeps the user's stream untouched,
        // and the folded weights are written after.
        Rng saved = Rng.swapGlobal(new Rng(0));
        Sequential folded;
        List<Tensor[]> keep = new ArrayList<>();
        for (Module m : out) {
            List<Tensor> ps = m.parameters();
            Tensor[] copy = new Tensor[ps.size()];
            for (int k = 0; k < copy.length; k++) copy[k] = ps.get(k).copy();
            keep.add(copy);
        }
        try {
            folded = new Sequential(out.toArray(Module[]::new));
        } finally {
            Rng.swapGlobal(saved);
        }
        for (int i = 0; i < out.size(); i++) {
            List<Tensor> ps = out.get(i).parameters();
            for (int k = 0; k < ps.size(); k++) ps.get(k).copyFrom(keep.get(i)[k]);
        }
        folded.eval();
        return folded;
    }

    static Conv2d fold(Conv2d conv, BatchNorm2d bn) {
        Conv2d f = conv.withBias();
        float[] w = conv.weight().toFloatArray();
        float[] b = conv.bias() == null ? null : conv.bias().toFloatArray();
        float[] mean = bn.buffer("running_mean").toFloatArray(), var = bn.buffer("running_var").toFloatArray();
        Tensor gammaT = bn.param("weight"), betaT = bn.param("bias");
        int out = mean.length, per = w.length / out;
        float[] nb = new float[out];
        for (int o = 0; o < out; o++) {
            double gamma = gammaT == null ? 1 : gammaT.get(o), beta = betaT == null ? 0 : betaT.get(o);
            double s = gamma / Math.sqrt(var[o] + bn.eps());
            for (int k = 0; k < per; k++) w[o * per + k] = (float) (w[o * per + k] * s);
            nb[o] = (float) (((b == null ? 0 : b[o]) - mean[o]) * s + beta);
        }
        f.weight().copyFrom(Tensor.of(w, conv.weight().shape()));
        f.bias().copyFrom(Tensor.of(nb, out));
        return f;
    }
}
