package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * A residual connection, {@code Residual(body)}: {@code y = x + body(x)} (He et al. 2015), the body's output having
 * the input's shape. {@code Residual(body, shortcut)} computes {@code shortcut(x) + body(x)} instead, for blocks whose
 * shape changes (a strided 1x1 convolution with batch norm as the shortcut, say). No activation follows the sum:
 * put a {@link ReLU} after the Residual in a {@link Sequential} for the original post-activation block. Children are
 * named "body" and "shortcut".
 */
public final class Residual extends Module {
    public Residual(Module body) {
        this(body, null);
    }

    public Residual(Module body, Module shortcut) {
        if (body == null) throw new IllegalArgumentException("Residual needs a body");
        registerModule("body", body);
        if (shortcut != null) registerModule("shortcut", shortcut);
    }

    /** From a list of children as {@link #children()} gives them: [body] or [body, shortcut]. */
    public static Residual of(List<Module> children) {
        return switch (children.size()) {
            case 1 -> new Residual(children.get(0));
            case 2 -> new Residual(children.get(0), children.get(1));
            default -> throw new IllegalArgumentException("Residual has a body and an optional shortcut, not " + children.size() + " children");
        };
    }

    public Module body() {
        return children().get("body");
    }

    /** The shortcut, or null for the identity. */
    public Module shortcut() {
        return children().get("shortcut");
    }

    @Override
    public Tensor forward(Tensor x) {
        Module s = shortcut();
        Tensor fx = body().call(x);
        Tensor id = s == null ? x : s.call(x);
        if (!java.util.Arrays.equals(fx.shape(), id.shape())) {
            throw new IllegalArgumentException("Residual: the body maps " + Arrays.toString(x.shape()) + " to "
                    + Arrays.toString(fx.shape()) + " but the " + (s == null ? "identity shortcut" : "shortcut") + " gives "
                    + Arrays.toString(id.shape()) + "; add a shortcut that matches");
        }
        return id.add(fx);
    }
}
