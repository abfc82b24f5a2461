package dev.fovea.nn;

import dev.fovea.tensor.Normalization;
import dev.fovea.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What BatchNorm1d and BatchNorm2d share. PyTorch's definition: batch statistics (biased variance) in training,
 * running statistics in evaluation, running variance updated with the unbiased batch variance, momentum 0.1
 * meaning running = 0.9 * running + 0.1 * batch. Parameter and buffer names match PyTorch's state dicts.
 */
abstract sealed class BatchNorm extends Module permits BatchNorm1d, BatchNorm2d {
    private final int features;
    private final double eps, momentum;
    private final boolean affine;

    BatchNorm(int features, double eps, double momentum, boolean affine) {
        if (features < 1) throw new IllegalArgumentException(typeName() + ": feature count must be positive, got " + features);
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        if (affine) {
            registerParameter("weight", Tensor.ones(features));
            registerParameter("bias", Tensor.zeros(features));
        }
        registerBuffer("running_mean", Tensor.zeros(features));
        registerBuffer("running_var", Tensor.ones(features));
        registerBuffer("num_batches_tracked", Tensor.zeros(1));
    }

    double eps() {
        return eps;
    }

    abstract boolean acceptsRank(int rank);

    abstract String expected();

    @Override
    public Tensor forward(Tensor x) {
        if (!acceptsRank(x.dim()) || x.size(1) != features) {
            throw new IllegalArgumentException(typeName() + "(" + features + "): input must be " + expected() + " with " + features
                    + " channels, got shape " + Arrays.toString(x.shape()));
        }
        Tensor y = Normalization.batchNorm(x, buffer("running_mean"), buffer("running_var"), param("weight"), param("bias"), isTraining(), momentum, eps);
        if (isTraining()) {
            Tensor n = buffer("num_batches_tracked");
            n.set(n.get(0) + 1, 0);
        }
        return y;
    }

    @Override
    public long multiplyAdds(int[] inputShape, int[] outputShape) {
        return 0;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("features", features);
        c.put("eps", eps);
        c.put("momentum", momentum);
        c.put("affine", affine);
        return c;
    }
}
