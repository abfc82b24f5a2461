package dev.fovea.optim;

import dev.fovea.tensor.Tensor;

import java.util.List;

/**
 * AdamW (Loshchilov and Hutter), exactly as PyTorch's {@code torch.optim.AdamW}: the weights first decay by
 * their group's rate times the decay, then take {@link Adam}'s step on the plain gradient:
 * <pre>
 *   p = p - lr * weightDecay * p                     (that is, p * (1 - lr * weightDecay))
 *   m = beta1 * m + (1 - beta1) * grad
 *   v = beta2 * v + (1 - beta2) * grad * grad
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Defaults as PyTorch: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. Because the decay follows the learning
 * rate (and its schedule) rather than passing through the moment estimates, it regularises every weight alike.
 */
public final class AdamW extends AdamFamily {
    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0.01, false);
    }

    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        this(array(ParamGroup.single(params)), lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    /** AdamW over parameter groups, each at {@code lr} times its multiplier. */
    public static AdamW grouped(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        return new AdamW(array(groups), lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    private AdamW(ParamGroup[] groups, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        super(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, true);
    }

    @Override
    public String typeName() {
        return "adamw";
    }
}
