package dev.fovea.optim;

import dev.fovea.tensor.Tensor;

import java.util.List;

/**
 * Adam (Kingma and Ba), exactly as PyTorch's {@code torch.optim.Adam}: with step count {@code t} (from 1) of the
 * parameter and its group's rate {@code lr},
 * <pre>
 *   g = grad + weightDecay * p                       (L2 penalty added to the gradient; 0 by default)
 *   m = beta1 * m + (1 - beta1) * g                  (computed as m + (1 - beta1) * (g - m), PyTorch's lerp)
 *   v = beta2 * v + (1 - beta2) * g * g
 *   vmax = max(vmax, v)                               (amsgrad only; then vmax replaces v below)
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Note that eps is added outside the square root, after the bias correction of v, as PyTorch does. Moments start
 * at zero. Defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. State per parameter: {@code exp_avg} (m),
 * {@code exp_avg_sq} (v), {@code max_exp_avg_sq} (amsgrad) and the step count. For decay that is decoupled
 * from the gradient statistics, use {@link AdamW}.
 */
public final class Adam extends AdamFamily {
    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        this(array(ParamGroup.single(params)), lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    /** Adam over parameter groups, each at {@code lr} times its multiplier. */
    public static Adam grouped(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        return new Adam(array(groups), lr, beta1, beta2, eps, weightDecay, amsgrad);
    }

    private Adam(ParamGroup[] groups, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        super(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, false);
    }

    @Override
    public String typeName() {
        return "adam";
    }
}
