package dev.fovea.nn;

import dev.fovea.tensor.ChannelOps;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maxout over channels (Goodfellow et al. 2013), {@code Maxout(pieces)}: N x (C*pieces) x ... to N x C x ..., output
 * channel c being the maximum of the {@code pieces} consecutive input channels c*pieces .. c*pieces + pieces - 1
 * (PyTorch: {@code x.view(N, C, pieces, ...).max(2).values}). Put it after a convolution or linear layer with
 * {@code pieces} times the channels wanted. See {@link ChannelOps#maxout}.
 */
public final class Maxout extends Module {
    private final int pieces;

    public Maxout(int pieces) {
        if (pieces < 1) throw new IllegalArgumentException("Maxout: pieces must be positive, got " + pieces);
        this.pieces = pieces;
    }

    public int pieces() {
        return pieces;
    }

    @Override
    public Tensor forward(Tensor x) {
        return ChannelOps.maxout(x, pieces);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("pieces", pieces);
        return c;
    }
}
