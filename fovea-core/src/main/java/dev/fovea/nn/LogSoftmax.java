package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/** log(softmax(x)) along {@code dim}, computed stably. */
public final class LogSoftmax extends Module {
    private final int dim;

    public LogSoftmax() {
        this(1);
    }

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return dev.fovea.tensor.Softmax.logSoftmax(x, dim);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("dim", dim);
        return c;
    }
}
