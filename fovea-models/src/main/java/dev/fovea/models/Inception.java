package dev.fovea.models;

import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GoogLeNet's Inception module (Szegedy et al., "Going Deeper with Convolutions", 2014) as torchvision builds it:
 * four branches on the same input, concatenated along the channels.
 * <pre>
 *   branch1: 1x1 conv, ch1x1
 *   branch2: 1x1 conv, ch3x3red -> 3x3 conv, ch3x3
 *   branch3: 1x1 conv, ch5x5red -> 3x3 conv, ch5x5      (sic: see below)
 *   branch4: 3x3 max pooling, stride 1 -> 1x1 conv, poolProj
 *   output:  ch1x1 + ch3x3 + ch5x5 + poolProj channels, same height and width
 * </pre>
 * Every convolution is a {@link BasicConv2d} (no bias, batch norm, ReLU). torchvision's "5x5" branch uses a 3x3
 * kernel, a slip kept there for compatibility with its trained weights and kept here so that parameter names,
 * shapes and counts match (the paper's 5x5 kernels would add 16 x ch5x5red x ch5x5 weights per module).
 */
public final class Inception extends Module {
    private final int in, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj;
    private final BasicConv2d branch1;
    private final Sequential branch2, branch3, branch4;

    public Inception(int in, int ch1x1, int ch3x3red, int ch3x3, int ch5x5red, int ch5x5, int poolProj) {
        this.in = in;
        this.ch1x1 = ch1x1;
        this.ch3x3red = ch3x3red;
        this.ch3x3 = ch3x3;
        this.ch5x5red = ch5x5red;
        this.ch5x5 = ch5x5;
        this.poolProj = poolProj;
        branch1 = registerModule("branch1", new BasicConv2d(in, ch1x1, 1, 1, 0));
        branch2 = registerModule("branch2", new Sequential(new BasicConv2d(in, ch3x3red, 1, 1, 0), new BasicConv2d(ch3x3red, ch3x3, 3, 1, 1)));
        branch3 = registerModule("branch3", new Sequential(new BasicConv2d(in, ch5x5red, 1, 1, 0), new BasicConv2d(ch5x5red, ch5x5, 3, 1, 1)));
        branch4 = registerModule("branch4", new Sequential(new MaxPool2d(3, 1, 1, true), new BasicConv2d(in, poolProj, 1, 1, 0)));
    }

    /** Channels out: the four branches side by side. */
    public int outChannels() {
        return ch1x1 + ch3x3 + ch5x5 + poolProj;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Tensor.concat(1, branch1.call(x), branch2.call(x), branch3.call(x), branch4.call(x));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("ch1x1", ch1x1);
        c.put("ch3x3red", ch3x3red);
        c.put("ch3x3", ch3x3);
        c.put("ch5x5red", ch5x5red);
        c.put("ch5x5", ch5x5);
        c.put("poolProj", poolProj);
        return c;
    }
}
