package dev.fovea.models;

import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Init;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.util.Arrays;

/**
 * LeNet-5's layer C3 (LeCun et al. 1998, Table I): sixteen 5x5 feature maps, each computed from a subset of S2's
 * six maps, "to break the symmetry in the network" and keep the connections in bounds. Map {@code j} reads the S2
 * maps listed in {@link #TABLE}{@code [j]}:
 * <pre>
 *   maps  0-5:  three contiguous maps   {0,1,2} {1,2,3} {2,3,4} {3,4,5} {4,5,0} {5,0,1}
 *   maps  6-11: four contiguous maps    {0,1,2,3} {1,2,3,4} {2,3,4,5} {3,4,5,0} {4,5,0,1} {5,0,1,2}
 *   maps 12-14: four non-contiguous     {0,1,3,4} {1,2,4,5} {0,2,3,5}
 *   map  15:    all six
 * </pre>
 * Each map is its own small convolution {@code Conv2d(|subset|, 1, 5)} over the gathered inputs, named {@code 0} to
 * {@code 15}, so the layer holds exactly the paper's 1,516 parameters: 6 x (3*25 + 1) + 6 x (4*25 + 1)
 * + 3 x (4*25 + 1) + (6*25 + 1) = 456 + 606 + 303 + 151. A full 6-to-16 convolution would have 2,416.
 * Weights are Xavier-initialised, for the tanh that follows.
 */
public final class LeNetC3 extends Module {
    /** The S2 maps each C3 map reads: LeCun et al. 1998, Table I, column by column. */
    public static final int[][] TABLE = {
            {0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 5}, {0, 4, 5}, {0, 1, 5},
            {0, 1, 2, 3}, {1, 2, 3, 4}, {2, 3, 4, 5}, {0, 3, 4, 5}, {0, 1, 4, 5}, {0, 1, 2, 5},
            {0, 1, 3, 4}, {1, 2, 4, 5}, {0, 2, 3, 5},
            {0, 1, 2, 3, 4, 5}};

    private final Conv2d[] maps = new Conv2d[TABLE.length];

    public LeNetC3() {
        for (int j = 0; j < TABLE.length; j++) {
            maps[j] = registerModule(Integer.toString(j), new Conv2d(TABLE[j].length, 1, 5));
            maps[j].resetParameters(Init.XAVIER, 0);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 6) {
            throw new IllegalArgumentException("LeNetC3: input must be N x 6 x H x W (the maps of S2), got shape " + Arrays.toString(x.shape()));
        }
        Tensor[] out = new Tensor[TABLE.length];
        for (int j = 0; j < TABLE.length; j++) {
            Tensor[] inputs = new Tensor[TABLE[j].length];
            for (int i = 0; i < inputs.length; i++) inputs[i] = x.slice(1, TABLE[j][i], TABLE[j][i] + 1);
            out[j] = maps[j].call(Tensor.concat(1, inputs));
        }
        return Tensor.concat(1, out);
    }
}
