package dev.fovea.nn;

import dev.fovea.tensor.Pooling;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Average pooling, {@code AvgPool2d(kernel, stride, padding, ceilMode, countIncludePad)}, PyTorch's divisor rule:
 * with {@code countIncludePad} (the default) padded zeros count, but in ceil mode the part of a window past the
 * padding does not; without it only real pixels count.
 */
public final class AvgPool2d extends Module {
    private final int[] kernel, stride, padding;
    private final boolean ceilMode, countIncludePad;

    public AvgPool2d(int kernel) {
        this(kernel, kernel);
    }

    public AvgPool2d(int kernel, int stride) {
        this(kernel, stride, 0, false);
    }

    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode) {
        this(Pair.of(kernel), Pair.of(stride), Pair.of(padding), ceilMode, true);
    }

    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        this.kernel = Pair.of(kernel, "kernel");
        this.stride = Pair.of(stride, "stride");
        this.padding = Pair.of(padding, "padding");
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("kernel", kernel.clone());
        c.put("stride", stride.clone());
        c.put("padding", padding.clone());
        c.put("ceilMode", ceilMode);
        c.put("countIncludePad", countIncludePad);
        return c;
    }
}
