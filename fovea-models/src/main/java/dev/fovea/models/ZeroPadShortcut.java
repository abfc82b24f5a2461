package dev.fovea.models;

import dev.fovea.nn.Module;
import dev.fovea.tensor.ChannelOps;
import dev.fovea.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameter-free shortcut of He et al. 2015 ("option A", used for their CIFAR networks): where a residual
 * block halves the resolution and widens the channels, the shortcut takes every {@code stride}-th pixel (a 1x1
 * max pooling with that stride, so pixels (0, 0), (0, 2), ... at stride 2) and pads the new channels with zeros.
 *
 * <p>The zero channels are split evenly, half before the input's channels and half after (the odd one, if any,
 * after), as in the widely used PyTorch reference ({@code F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4,
 * planes // 4))}): 16 to 32 channels puts 8 zero channels on either side. The layout matters only for loading
 * weights trained elsewhere; any fixed layout gives the same network up to a permutation.
 */
public final class ZeroPadShortcut extends Module {
    private final int in, out, stride;

    public ZeroPadShortcut(int in, int out, int stride) {
        if (in < 1 || out < in) throw new IllegalArgumentException("ZeroPadShortcut: needs 1 <= in <= out, got in=" + in + ", out=" + out);
        if (stride < 1) throw new IllegalArgumentException("ZeroPadShortcut: stride must be positive, got " + stride);
        this.in = in;
        this.out = out;
        this.stride = stride;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != in) {
            throw new IllegalArgumentException("ZeroPadShortcut(" + in + ", " + out + "): input must be N x " + in + " x H x W, got shape " + Arrays.toString(x.shape()));
        }
        int before = (out - in) / 2, after = out - in - before;
        if (stride == 1 && before == 0 && after == 0) return x;
        return ChannelOps.subsamplePadChannels(x, stride, before, after);
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
