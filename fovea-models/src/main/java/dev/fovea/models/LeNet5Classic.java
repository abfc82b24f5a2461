package dev.fovea.models;

import dev.fovea.nn.AvgPool2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Init;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LeNet-5 as published (LeCun, Bottou, Bengio, Haffner, "Gradient-based learning applied to document
 * recognition", 1998), for 32x32 images (the paper centres 28x28 MNIST digits in a 32x32 field: pad them by 2):
 * <pre>
 *   C1 conv 6@5x5 -> tanh     28x28     S2 average 2x2    14x14
 *   C3 {@link LeNetC3}: 16@5x5 on the 6x16 connection table -> tanh   10x10     S4 average 2x2    5x5
 *   C5 conv 120@5x5 -> tanh   1x1       F6 120 -> 84 -> tanh          output 84 -> classes
 * </pre>
 * The paper's network has exactly 60,000 trainable parameters: C1 156 + S2 12 + C3 1,516 + S4 32 + C5 48,120 +
 * F6 10,164 (its RBF output layer's 840 weights were fixed by hand). Three simplifications, common to modern
 * reproductions:
 * <ul>
 *   <li>S2 and S4 are plain {@link AvgPool2d}: the paper multiplies each map's 2x2 sum by a trainable coefficient,
 *       adds a trainable bias and squashes the result (12 and 32 parameters); here the window mean goes on
 *       unchanged, and the squashing is the tanh applied after C1 and C3.</li>
 *   <li>The squashing function is plain tanh, where the paper scales it as 1.7159 tanh(2a/3).</li>
 *   <li>The output is a trainable {@code Linear(84, classes)} for cross-entropy, in place of Euclidean RBF units
 *       with fixed bitmap prototypes.</li>
 * </ul>
 * So with one input channel and 10 classes the model has 60,000 - 44 + 850 = 60,806 parameters, and needs
 * 326,520 multiply-adds per image (C1 117,600, C3 150,000, C5 48,000, F6 10,080, output 840). Layers are
 * Xavier-initialised (the paper drew uniformly in +-2.4 / fan-in).
 */
public final class LeNet5Classic extends Module {
    private final int inChannels, classes;
    private final Conv2d c1, c5;
    private final AvgPool2d s2, s4;
    private final LeNetC3 c3;
    private final Linear f6, output;

    public LeNet5Classic(int inChannels, int classes) {
        Inputs.positive("LeNet-5", inChannels, classes);
        this.inChannels = inChannels;
        this.classes = classes;
        c1 = registerModule("c1", new Conv2d(inChannels, 6, 5));
        s2 = registerModule("s2", new AvgPool2d(2));
        c3 = registerModule("c3", new LeNetC3());
        s4 = registerModule("s4", new AvgPool2d(2));
        c5 = registerModule("c5", new Conv2d(16, 120, 5));
        f6 = registerModule("f6", new Linear(120, 84));
        output = registerModule("output", new Linear(84, classes));
        c1.resetParameters(Init.XAVIER, 0);
        c5.resetParameters(Init.XAVIER, 0);
        f6.resetParameters(Init.XAVIER, 0);
        output.resetParameters(Init.XAVIER, 0);
    }

    public static LeNet5Classic create(int inChannels, int classes) {
        return new LeNet5Classic(inChannels, classes);
    }

    @Override
    public Tensor forward(Tensor x) {
        Inputs.checkRange("LeNet-5", x, inChannels, 32, 32, "C5 must see 5x5 maps; pad 28x28 digits by 2 pixels, as the paper does");
        x = s2.call(c1.call(x).tanh());
        x = s4.call(c3.call(x).tanh());
        x = c5.call(x).tanh().flatten(1);
        return output.call(f6.call(x).tanh());
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("inChannels", inChannels);
        c.put("classes", classes);
        return c;
    }
}
