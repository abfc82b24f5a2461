package dev.fovea.optim;

import dev.fovea.kernels.Buf;
import dev.fovea.tensor.Tensor;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, exactly as PyTorch's SGD:
 * <pre>
 *   g = grad + weightDecay * p
 *   v = momentum * v + (1 - dampening) * g        (v = g on the first step)
 *   g = nesterov ? g + momentum * v : v
 *   p = p - lr * g
 * </pre>
 */
public final class SGD extends Optimizer {
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;
    private final Map<Tensor, Tensor> velocity = new IdentityHashMap<>();

    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, false);
    }

    public SGD(List<Tensor> params, double lr, double momentum, double weightDecay, boolean nesterov) {
        this(params, lr, momentum, 0, weightDecay, nesterov);
    }

    public SGD(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(params, lr);
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
        for (Tensor p : params) {
            Tensor grad = p.grad();
            if (grad == null) continue;
            Buf w = p.buf(), g = grad.buf();
            Tensor vt = velocity.get(p);
            boolean first = vt == null;
            if (momentum != 0 && first) {
                vt = Tensor.zerosLike(p);
                velocity.put(p, vt);
            }
            Buf v = vt == null ? null : vt.buf();
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
