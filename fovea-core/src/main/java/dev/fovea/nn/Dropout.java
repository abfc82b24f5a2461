package dev.fovea.nn;

import dev.fovea.tensor.Activations;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** Inverted dropout: zeroes with probability p and scales survivors by 1/(1-p) in training; identity in eval. */
public final class Dropout extends Module {
    private final double p;

    public Dropout() {
        this(0.5);
    }

    public Dropout(double p) {
        if (p < 0 || p >= 1) throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Activations.dropout(x, p, isTraining(), Rng.global());
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("p", p);
        return c;
    }
}
