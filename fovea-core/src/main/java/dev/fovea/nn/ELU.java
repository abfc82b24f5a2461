package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** x for x > 0, else alpha * (e^x - 1). */
public final class ELU extends Module {
    private final double alpha;

    public ELU() {
        this(1.0);
    }

    public ELU(double alpha) {
        this.alpha = alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.elu(alpha);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("alpha", alpha);
        return c;
    }
}
