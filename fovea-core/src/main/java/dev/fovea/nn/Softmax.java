package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** Softmax along {@code dim} (default 1, the class dimension). For training use {@link CrossEntropyLoss} on logits. */
public final class Softmax extends Module {
    private final int dim;

    public Softmax() {
        this(1);
    }

    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return dev.fovea.tensor.Softmax.softmax(x, dim);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("dim", dim);
        return c;
    }
}
