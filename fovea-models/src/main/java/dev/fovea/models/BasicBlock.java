package dev.fovea.models;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two-layer residual block of He et al. 2015, as {@code BasicBlock} in torchvision:
 * <pre>
 *   out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
 * </pre>
 * with 3x3 convolutions without bias (batch norm follows each), the first one carrying the stride. The shortcut
 * is the identity when the shape is unchanged (stride 1, {@code in == out}); otherwise it is the parameter-free
 * {@link ZeroPadShortcut} (the paper's option A for CIFAR), so the block has exactly the parameters of its two
 * convolutions and two batch norms. Convolutions are He-initialised (Kaiming normal, fan_in, gain sqrt 2); batch
 * norms start at weight 1, bias 0.
 */
public final class BasicBlock extends Module {
    private final int in, out, stride;
    private final Conv2d conv1, conv2;
    private final BatchNorm2d bn1, bn2;
    private final ZeroPadShortcut shortcut;

    public BasicBlock(int in, int out, int stride) {
        if (in < 1 || out < in) throw new IllegalArgumentException("BasicBlock: needs 1 <= in <= out channels, got in=" + in + ", out=" + out);
        if (stride < 1) throw new IllegalArgumentException("BasicBlock: stride must be positive, got " + stride);
        this.in = in;
        this.out = out;
        this.stride = stride;
        conv1 = registerModule("conv1", new Conv2d(in, out, 3, stride, 1, 1, 1, false));
        bn1 = registerModule("bn1", new BatchNorm2d(out));
        conv2 = registerModule("conv2", new Conv2d(out, out, 3, 1, 1, 1, 1, false));
        bn2 = registerModule("bn2", new BatchNorm2d(out));
        shortcut = stride != 1 || in != out ? registerModule("shortcut", new ZeroPadShortcut(in, out, stride)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor identity = shortcut == null ? x : shortcut.call(x);
        Tensor y = bn1.call(conv1.call(x)).relu();
        y = bn2.call(conv2.call(y));
        return y.add(identity).relu();
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("out", out);
        c.put("stride", stride);
        return c;
    }
}
