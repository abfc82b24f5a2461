package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Layers applied in order; children are named "0", "1", ... as in PyTorch. On construction each Conv2d and
 * Linear is initialised for the activation that follows it (skipping pooling, global pooling, normalisation, dropout and
 * flattening): He before ReLU, LeakyReLU and ELU, Xavier before anything else or at the end.
 */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... layers) {
        for (Module m : layers) {
            registerModule(Integer.toString(this.layers.size()), m);
            this.layers.add(m);
        }
        for (int i = 0; i < this.layers.size(); i++) {
            if (this.layers.get(i) instanceof Initializable layer) {
                Module next = nextActivation(i);
                double slope = next instanceof LeakyReLU l ? l.negativeSlope() : 0;
                layer.resetParameters(Init.forActivation(next), slope);
            }
        }
    }

    private Module nextActivation(int i) {
        for (int j = i + 1; j < layers.size(); j++) {
            Module m = layers.get(j);
            if (m instanceof MaxPool2d || m instanceof AvgPool2d || m instanceof GlobalAvgPool2d || m instanceof AdaptiveAvgPool2d
                    || m instanceof AdaptiveMaxPool2d || m instanceof LocalResponseNorm || m instanceof BatchNorm || m instanceof Dropout || m instanceof Flatten) continue;
            return m instanceof Initializable ? null : m;
        }
        return null;
    }

    public List<Module> layers() {
        return List.copyOf(layers);
    }

    public Module get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public void replaceModule(String name, Module m) {
        super.replaceModule(name, m);
        layers.set(Integer.parseInt(name), m);
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : layers) x = m.call(x);
        return x;
    }
}
