package dev.fovea.nn;

import dev.fovea.tensor.LocalResponseNormalization;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Local response normalisation across channels, {@code LocalResponseNorm(size, alpha, beta, k)} as
 * {@code torch.nn.LocalResponseNorm} (defaults alpha = 1e-4, beta = 0.75, k = 1):
 * <pre>
 *   b_c = a_c / (k + alpha / size * sum_{c' in the window of size channels around c} a_{c'}^2)^beta
 * </pre>
 * Note that alpha is divided by size, as in PyTorch and Caffe, but not in the AlexNet paper; AlexNet's layer is
 * {@code new LocalResponseNorm(5, 1e-4, 0.75, 2)} in PyTorch's convention (torchvision's AlexNet omits it).
 * See {@link LocalResponseNormalization} for the window and the gradient.
 */
public final class LocalResponseNorm extends Module {
    private final int size;
    private final double alpha, beta, k;

    public LocalResponseNorm(int size) {
        this(size, 1e-4, 0.75, 1);
    }

    public LocalResponseNorm(int size, double alpha, double beta, double k) {
        if (size < 1) throw new IllegalArgumentException("LocalResponseNorm: size must be positive, got " + size);
        this.size = size;
        this.alpha = alpha;
        this.beta = beta;
        this.k = k;
    }

    @Override
    public Tensor forward(Tensor x) {
        return LocalResponseNormalization.localResponseNorm(x, size, alpha, beta, k);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("size", size);
        c.put("alpha", alpha);
        c.put("beta", beta);
        c.put("k", k);
        return c;
    }
}
