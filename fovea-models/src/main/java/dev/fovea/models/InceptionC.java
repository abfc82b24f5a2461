package dev.fovea.models;

import dev.fovea.nn.Module;
import dev.fovea.tensor.Pooling;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Inception-v3's block with factorised asymmetric convolutions (Szegedy et al., "Rethinking the Inception
 * Architecture for Computer Vision", 2015, figure 6), torchvision's {@code InceptionC}: a 7x7 convolution costs
 * 49 weights per channel pair, a 1x7 followed by a 7x1 only 14 for the same receptive field.
 * <pre>
 *   branch1x1:     1x1, out
 *   branch7x7:     1x1, c7 -> 1x7, c7 -> 7x1, out
 *   branch7x7dbl:  1x1, c7 -> 7x1, c7 -> 1x7, c7 -> 7x1, c7 -> 1x7, out
 *   branch_pool:   3x3 average pooling, stride 1 -> 1x1, out
 *   output:        4 x out channels, same height and width
 * </pre>
 * Every convolution is a {@link BasicConv2d} (no bias, batch norm with eps 0.001, ReLU). torchvision's blocks
 * Mixed_6b to Mixed_6e are {@code InceptionC(768, c7)} with c7 = 128, 160, 160, 192 and {@code out} = 192:
 * Mixed_6b has 1,297,408 parameters. Names follow torchvision ({@code branch7x7_2.conv.weight}, ...).
 */
public final class InceptionC extends Module {
    private final int in, c7, out;
    private final BasicConv2d branch1x1;
    private final BasicConv2d branch7x7_1, branch7x7_2, branch7x7_3;
    private final BasicConv2d branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5;
    private final BasicConv2d branchPool;

    /** torchvision's block: 192 channels per branch. */
    public InceptionC(int in, int c7) {
        this(in, c7, 192);
    }

    public InceptionC(int in, int c7, int out) {
        this.in = in;
        this.c7 = c7;
        this.out = out;
        branch1x1 = registerModule("branch1x1", new BasicConv2d(in, out, 1, 1, 0));
        branch7x7_1 = registerModule("branch7x7_1", new BasicConv2d(in, c7, 1, 1, 0));
        branch7x7_2 = registerModule("branch7x7_2", BasicConv2d.same(c7, c7, 1, 7));
        branch7x7_3 = registerModule("branch7x7_3", BasicConv2d.same(c7, out, 7, 1));
        branch7x7dbl_1 = registerModule("branch7x7dbl_1", new BasicConv2d(in, c7, 1, 1, 0));
        branch7x7dbl_2 = registerModule("branch7x7dbl_2", BasicConv2d.same(c7, c7, 7, 1));
        branch7x7dbl_3 = registerModule("branch7x7dbl_3", BasicConv2d.same(c7, c7, 1, 7));
        branch7x7dbl_4 = registerModule("branch7x7dbl_4", BasicConv2d.same(c7, c7, 7, 1));
        branch7x7dbl_5 = registerModule("branch7x7dbl_5", BasicConv2d.same(c7, out, 1, 7));
        branchPool = registerModule("branch_pool", new BasicConv2d(in, out, 1, 1, 0));
    }

    public int outChannels() {
        return 4 * out;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor b1 = branch1x1.call(x);
        Tensor b7 = branch7x7_3.call(branch7x7_2.call(branch7x7_1.call(x)));
        Tensor d = branch7x7dbl_1.call(x);
        d = branch7x7dbl_5.call(branch7x7dbl_4.call(branch7x7dbl_3.call(branch7x7dbl_2.call(d))));
        Tensor pooled = Pooling.avgPool2d(x, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, false, true);
        return Tensor.concat(1, b1, b7, d, branchPool.call(pooled));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("c7", c7);
        c.put("out", out);
        return c;
    }
}
