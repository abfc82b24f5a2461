package dev.fovea.optim;

import dev.fovea.kernels.Buf;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RMSprop (Hinton), exactly as PyTorch's {@code torch.optim.RMSprop}: with its group's rate {@code lr},
 * <pre>
 *   g = grad + weightDecay * p
 *   s = alpha * s + (1 - alpha) * g * g                       (square_avg, starts at 0)
 *   centered:  a = alpha * a + (1 - alpha) * g;  d = sqrt(s - a * a) + eps      (grad_avg a, starts at 0)
 *   otherwise: d = sqrt(s) + eps
 *   momentum > 0:  b = momentum * b + g / d;  p = p - lr * b    (momentum_buffer b, starts at 0)
 *   otherwise:     p = p - lr * g / d
 * </pre>
 * Defaults as PyTorch: alpha 0.99, eps 1e-8, no weight decay, no momentum, not centered. One difference: where
 * rounding makes {@code s - a * a} slightly negative, its square root is taken as 0 rather than NaN.
 */
public final class RMSprop extends Optimizer {
    private final double alpha, eps;
    private double weightDecay, momentum;
    private final boolean centered;

    public RMSprop(List<Tensor> params, double lr) {
        this(params, lr, 0.99, 1e-8, 0, 0, false);
    }

    public RMSprop(List<Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        this(array(ParamGroup.single(params)), lr, alpha, eps, weightDecay, momentum, centered);
    }

    /** RMSprop over parameter groups, each at {@code lr} times its multiplier. */
    public static RMSprop grouped(List<ParamGroup> groups, double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        return new RMSprop(array(groups), lr, alpha, eps, weightDecay, momentum, centered);
    }

    private RMSprop(ParamGroup[] groups, double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        super(List.of(groups), lr);
        this.alpha = unitInterval("alpha", alpha);
        this.eps = nonNegative("eps", eps);
        this.weightDecay = nonNegative("weight decay", weightDecay);
        this.momentum = nonNegative("momentum", momentum);
        this.centered = centered;
    }

    @Override
    public void step() {
        int index = 0;
        for (ParamGroup group : groups) {
            double lr = this.lr * group.lrMultiplier();
            for (Tensor p : group.params()) {
                int pi = index++;
                Tensor grad = p.grad();
                if (grad == null) continue;
                countStep(pi);
                Buf w = p.buf(), g = grad.buf(), s = stateBuf(pi, "square_avg");
                Buf a = centered ? stateBuf(pi, "grad_avg") : null;
                Buf b = momentum > 0 ? stateBuf(pi, "momentum_buffer") : null;
                for (int i = 0, n = w.length(); i < n; i++) {
                    double wi = w.get(i);
                    double gi = g.get(i) + weightDecay * wi;
                    s.set(i, alpha * s.get(i) + (1 - alpha) * gi * gi);
                    double avg = s.get(i);
                    if (a != null) {
                        double ai = a.get(i);
                        a.set(i, ai + (1 - alpha) * (gi - ai));
                        ai = a.get(i);
                        avg -= ai * ai;
                    }
                    double d = Math.sqrt(Math.max(0, avg)) + eps;
                    if (b != null) {
                        b.set(i, momentum * b.get(i) + gi / d);
                        w.set(i, wi - lr * b.get(i));
                    } else {
                        w.set(i, wi - lr * gi / d);
                    }
                }
            }
        }
    }

    private Buf stateBuf(int index, String name) {
        Tensor t = buffer(index, name);
        return (t == null ? newBuffer(index, name) : t).buf();
    }

    @Override
    public double momentum() {
        return momentum;
    }

    @Override
    public void setMomentum(double momentum) {
        this.momentum = nonNegative("momentum", momentum);
    }

    @Override
    public double weightDecay() {
        return weightDecay;
    }

    @Override
    public void setWeightDecay(double weightDecay) {
        this.weightDecay = nonNegative("weight decay", weightDecay);
    }

    @Override
    public String typeName() {
        return "rmsprop";
    }

    @Override
    protected Set<String> bufferNames() {
        // The momentum buffer is allowed whatever the momentum now, since setMomentum may change it mid-run.
        Set<String> names = new java.util.HashSet<>(Set.of("square_avg", "momentum_buffer"));
        if (centered) names.add("grad_avg");
        return names;
    }

    @Override
    protected Map<String, Object> hyperparameters() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alpha", alpha);
        h.put("eps", eps);
        h.put("weightDecay", weightDecay);
        h.put("momentum", momentum);
        h.put("centered", centered);
        return h;
    }
}
