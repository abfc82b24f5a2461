package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** Flattens every dimension from {@code startDim} (default 1, keeping the batch) into one. */
public final class Flatten extends Module {
    private final int startDim;

    public Flatten() {
        this(1);
    }

    public Flatten(int startDim) {
        this.startDim = startDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(startDim);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("startDim", startDim);
        return c;
    }
}
