package dev.fovea.models;

import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Layers applied in order under names the model chooses, like PyTorch's {@code nn.Sequential(OrderedDict(...))}
 * ({@code features.conv0}, {@code features.denseblock1}, ... in DenseNet). Unlike {@link dev.fovea.nn.Sequential}
 * it cannot be saved on its own: the model that owns it rebuilds it from the model's config.
 */
final class NamedSequential extends Module {
    private final List<String> names = new ArrayList<>();
    private final List<Module> layers = new ArrayList<>();

    /** Appends {@code m} under {@code name}; returns it. */
    <M extends Module> M add(String name, M m) {
        registerModule(name, m);
        names.add(name);
        layers.add(m);
        return m;
    }

    @Override
    public void replaceModule(String name, Module m) {
        super.replaceModule(name, m);
        layers.set(names.indexOf(name), m);
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : layers) x = m.call(x);
        return x;
    }
}
