package dev.fovea.nn;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@link AdaptiveAvgPool2d} and {@link AdaptiveMaxPool2d} share: the output size, checked and recorded. */
abstract sealed class AdaptivePool2d extends Module permits AdaptiveAvgPool2d, AdaptiveMaxPool2d {
    final int outH, outW;

    AdaptivePool2d(String name, int outH, int outW) {
        if (outH < 1 || outW < 1) throw new IllegalArgumentException(name + ": output size must be positive, got " + outH + "x" + outW);
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("outH", outH);
        c.put("outW", outW);
        return c;
    }
}
