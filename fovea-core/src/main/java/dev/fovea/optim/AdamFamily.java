package dev.fovea.optim;

import dev.fovea.kernels.Buf;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The update shared by {@link Adam} and {@link AdamW}; they differ only in how weight decay enters. */
abstract sealed class AdamFamily extends Optimizer permits Adam, AdamW {
    private final double beta2, eps;
    private double beta1;
    private double weightDecay;
    private final boolean amsgrad, decoupled;

    AdamFamily(ParamGroup[] groups, double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad, boolean decoupled) {
        super(List.of(groups), lr);
        this.beta1 = unitInterval("beta1", beta1);
        this.beta2 = unitInterval("beta2", beta2);
        this.eps = nonNegative("eps", eps);
        this.weightDecay = nonNegative("weight decay", weightDecay);
        this.amsgrad = amsgrad;
        this.decoupled = decoupled;
    }

    @Override
    public final void step() {
        int index = 0;
        for (ParamGroup group : groups) {
            double lr = this.lr * group.lrMultiplier();
            for (Tensor p : group.params()) {
                int pi = index++;
                Tensor grad = p.grad();
                if (grad == null) continue;
                long t = countStep(pi);
                Buf w = p.buf(), g = grad.buf(), m = stateBuf(pi, "exp_avg"), v = stateBuf(pi, "exp_avg_sq");
                Buf vmax = amsgrad ? stateBuf(pi, "max_exp_avg_sq") : null;
                double biasCorrection1 = 1 - Math.pow(beta1, t);
                double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
                double stepSize = lr / biasCorrection1;
                double decay = 1 - lr * weightDecay;
                for (int i = 0, n = w.length(); i < n; i++) {
                    double wi = w.get(i), gi = g.get(i);
                    if (decoupled) {
                        wi *= decay;
                    } else {
                        gi += weightDecay * wi;
                    }
                    double mi = m.get(i);
                    mi += (1 - beta1) * (gi - mi);
                    double vi = beta2 * v.get(i) + (1 - beta2) * gi * gi;
                    m.set(i, mi);
                    v.set(i, vi);
                    vi = v.get(i); // the stored value, rounded to the parameter's precision, as PyTorch uses it
                    if (vmax != null) {
                        vi = Math.max(vmax.get(i), vi);
                        vmax.set(i, vi);
                    }
                    double denom = Math.sqrt(vi) / biasCorrection2Sqrt + eps;
                    w.set(i, wi - stepSize * m.get(i) / denom);
                }
            }
        }
    }

    /** Sets {@code beta1}, the decay rate of the first moment, which one-cycle schedules cycle as momentum. */
    @Override
    public final void setCycledMomentum(double beta1) {
        this.beta1 = unitInterval("beta1", beta1);
    }

    @Override
    public final double weightDecay() {
        return weightDecay;
    }

    @Override
    public final void setWeightDecay(double weightDecay) {
        this.weightDecay = nonNegative("weight decay", weightDecay);
    }

    private Buf stateBuf(int index, String name) {
        Tensor t = buffer(index, name);
        return (t == null ? newBuffer(index, name) : t).buf();
    }

    @Override
    protected final Set<String> bufferNames() {
        return amsgrad ? Set.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : Set.of("exp_avg", "exp_avg_sq");
    }

    @Override
    protected final Map<String, Object> hyperparameters() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("beta1", beta1);
        h.put("beta2", beta2);
        h.put("eps", eps);
        h.put("weightDecay", weightDecay);
        h.put("amsgrad", amsgrad);
        return h;
    }
}
