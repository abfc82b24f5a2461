package dev.fovea.nn;

import dev.fovea.tensor.Pooling;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Max pooling, {@code MaxPool2d(kernel, stride, padding, ceilMode)}; stride defaults to the kernel size.
 * Windows may overlap (AlexNet's 3x3 stride 2). Ties go to the first position in the window, padding never wins.
 */
public final class MaxPool2d extends Module {
    private final int[] kernel, stride, padding;
    private final boolean ceilMode;

    public MaxPool2d(int kernel) {
        this(kernel, kernel);
    }

    public MaxPool2d(int kernel, int stride) {
        this(kernel, stride, 0, false);
    }

    public MaxPool2d(int kernel, int stride, int padding, boolean ceilMode) {
        this(Pair.of(kernel), Pair.of(stride), Pair.of(padding), ceilMode);
    }

    public MaxPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        this.kernel = Pair.of(kernel, "kernel");
        this.stride = Pair.of(stride, "stride");
        this.padding = Pair.of(padding, "padding");
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.maxPool2d(x, kernel, stride, padding, ceilMode);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("kernel", kernel.clone());
        c.put("stride", stride.clone());
        c.put("padding", padding.clone());
        c.put("ceilMode", ceilMode);
        return c;
    }
}
