package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Parallel branches joined along the channels, for non-sequential networks such as GoogLeNet's Inception modules:
 * every branch runs on the same input and the outputs, which must agree in every dimension but the channels, are
 * concatenated along dimension 1 in branch order (PyTorch: {@code torch.cat([b(x) for b in branches], 1)}).
 * Branches are child modules named "0", "1", ..., as in {@code nn.ModuleList}, so parameters are named
 * {@code 0.weight}, {@code 1.0.weight} and so on. Branches keep their own initialisation (a branch that is a
 * {@link Sequential} initialises its layers for the activations inside it).
 */
public final class Concat extends Module {

    public Concat(Module... branches) {
        if (branches.length == 0) throw new IllegalArgumentException("Concat needs at least one branch");
        for (int i = 0; i < branches.length; i++) {
            if (branches[i] == null) throw new IllegalArgumentException("Concat: branch " + i + " is null");
            registerModule(Integer.toString(i), branches[i]);
        }
    }

    public List<Module> branches() {
        return List.copyOf(children().values());
    }

    @Override
    public Tensor forward(Tensor x) {
        List<Tensor> outs = new ArrayList<>();
        for (Module b : children().values()) outs.add(b.call(x));
        return Tensor.concat(1, outs.toArray(Tensor[]::new));
    }
}
