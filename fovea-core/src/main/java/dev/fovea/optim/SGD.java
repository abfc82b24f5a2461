package dev.fovea.optim;

import dev.fovea.kernels.Buf;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, exactly as PyTorch's SGD,
 * for each parameter with gradient {@code grad} in a group whose rate is {@code lr}:
 * <pre>
 *   g = grad + weightDecay * p
 *   v = momentum * v + (1 - dampening) * g        (v = g on the first step)
 *   g = nesterov ? g + momentum * v : v
 *   p = p - lr * g
 * </pre>
 * State: buffer {@code momentum_buffer} (v) per parameter, when momentum is not 0.
 */
public final class SGD extends Optimizer {
    private final double dampening;
    private double momentum, weightDecay;
    private final boolean nesterov;

    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, false);
    }

    public SGD(List<Tensor> params, double lr, double momentum, double weightDecay, boolean nesterov) {
        this(params, lr, momentum, 0, weightDecay, nesterov);
    }

    public SGD(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        this(array(ParamGroup.single(params)), lr, momentum, dampening, weightDecay, nesterov);
    }

    /** SGD over parameter groups, each at {@code lr} times its multiplier. */
    public static SGD grouped(List<ParamGroup> groups, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        return new SGD(array(groups), lr, momentum, dampening, weightDecay, nesterov);
    }

    private SGD(ParamGroup[] groups, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(List.of(groups), lr);
        if (momentum < 0) throw new IllegalArgumentException("momentum must not be negative, got " + momentum);
        if (weightDecay < 0) throw new IllegalArgumentException("weight decay must not be negative, got " + weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and no dampening");
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    public void step() {
        int index = 0;
        for (ParamGroup group : groups) {
            double lr = this.lr * group.lrMultiplier();
            for (Tensor p : group.params()) {
                int i0 = index++;
                Tensor grad = p.grad();
                if (grad == null) continue;
                countStep(i0);
                Buf w = p.buf(), g = grad.buf();
                Tensor vt = buffer(i0, "momentum_buffer");
                boolean first = vt == null;
                if (momentum != 0 && first) vt = newBuffer(i0, "momentum_buffer");
                Buf v = momentum == 0 ? null : vt.buf();
                for (int i = 0, n = w.length(); i < n; i++) {
                    double d = g.get(i) + weightDecay * w.get(i);
                    if (v != null) {
                        double vi = first ? d : momentum * v.get(i) + (1 - dampening) * d;
                        v.set(i, vi);
                        d = nesterov ? d + momentum * vi : vi;
                    }
                    w.set(i, w.get(i) - lr * d);
                }
            }
        }
    }

    @Override
    public double momentum() {
        return momentum;
    }

    /** Nesterov momentum cannot be set to 0. A rise from 0 starts the buffers afresh, as in PyTorch. */
    @Override
    public void setMomentum(double momentum) {
        if (!(momentum >= 0) || Double.isInfinite(momentum)) throw new IllegalArgumentException("momentum must be a non-negative number, got " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("Nesterov momentum needs momentum > 0");
        this.momentum = momentum;
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
        return "sgd";
    }

    @Override
    protected Set<String> bufferNames() {
        return Set.of("momentum_buffer");
    }

    @Override
    protected Map<String, Object> hyperparameters() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("momentum", momentum);
        h.put("dampening", dampening);
        h.put("weightDecay", weightDecay);
        h.put("nesterov", nesterov);
        return h;
    }
}
