package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** x for x > 0, else slope * x (PyTorch's default slope 0.01). */
public final class LeakyReLU extends Module {
    private final double slope;

    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double negativeSlope) {
        this.slope = negativeSlope;
    }

    public double negativeSlope() {
        return slope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(slope);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("negativeSlope", slope);
        return c;
    }
}
