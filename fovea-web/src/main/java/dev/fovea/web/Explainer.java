package dev.fovea.web;

import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Convolution;
import dev.fovea.tensor.Softmax;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "Explain a layer": the numbers behind one output channel, each computed by the library's own operations. For a
 * convolution, every input channel is convolved on its own with its slice of the kernel ({@link Convolution#conv2d}
 * on one channel), and the page shows those maps, their sum plus the bias, and the layer's real output beside it
 * (they agree: that is the definition of a multi-channel convolution). For an activation or a pooling layer, one
 * channel's input and output; for the scores, softmax's exponentials, their sum and the probabilities.
 */
final class Explainer {
    private Explainer() {}

    /** Above this side (after padding) a map has too many numbers to follow step by step. */
    static final int MAX_SIDE = 96;
    /** At most this many input channels are drawn; the sum still covers them all. */
    static final int MAX_INPUTS = 32;

    static Map<String, Object> explain(Inspector.Trace t, String path, int channel) {
        if (path.equals("softmax")) return softmax(t);
        Inspector.Call call = t.call(path);
        Module m = call.module();
        Tensor out = call.output().detach();
        if (out.dim() != 4) {
            throw new IllegalArgumentException("layer " + path + " (" + m.typeName() + ") gives " + out.dim() + "-D outputs; channels can be explained for 4-D feature maps");
        }
        if (channel < 0 || channel >= out.size(1)) throw new IllegalArgumentException("channel " + channel + " is out of range; layer " + path + " has " + out.size(1));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("path", path);
        r.put("type", m.typeName());
        r.put("channel", channel);
        r.put("config", m.config());
        if (m instanceof Conv2d conv) {
            convolution(r, conv, call.input().detach(), out, channel);
        } else {
            Tensor in = call.input().detach();
            if (in.dim() != 4 || in.size(1) != out.size(1)) {
                throw new IllegalArgumentException("layer " + path + " (" + m.typeName() + ") does not map channels one to one; explanations cover convolutions, activations and pooling");
            }
            checkSize(in.size(2), in.size(3), path);
            r.put("kind", m.typeName().contains("Pool") ? "pool" : "elementwise");
            r.put("input", channelPlane(in, channel));
            r.put("output", channelPlane(out, channel));
        }
        return r;
    }

    private static void checkSize(int h, int w, String path) {
        if (h > MAX_SIDE || w > MAX_SIDE) {
            throw new IllegalArgumentException("layer " + path + " works on " + h + "x" + w + " maps, too large to follow step by step (at most "
                    + MAX_SIDE + "x" + MAX_SIDE + "); choose a later layer");
        }
    }

    private static void convolution(Map<String, Object> r, Conv2d conv, Tensor x, Tensor out, int o) {
        Map<String, Object> cfg = conv.config();
        int[] k = (int[]) cfg.get("kernel"), stride = (int[]) cfg.get("stride"), dil = (int[]) cfg.get("dilation");
        int groups = (Integer) cfg.get("groups");
        // Pad explicitly, as Conv2d does for "same", so that the page sees the zeros the kernel slides over.
        int top, bottom, left, right;
        if (cfg.get("padding") instanceof int[] p) {
            top = bottom = p[0];
            left = right = p[1];
        } else if ("same".equals(cfg.get("padding"))) {
            int th = dil[0] * (k[0] - 1), tw = dil[1] * (k[1] - 1);
            top = th / 2;
            bottom = th - top;
            left = tw / 2;
            right = tw - left;
        } else {
            top = bottom = left = right = 0;
        }
        Tensor xp = x.pad2d(top, bottom, left, right);
        checkSize(xp.size(2), xp.size(3), String.valueOf(r.get("path")));
        Tensor w = conv.weight().detach();
        int cin = x.size(1), cg = cin / groups, og = out.size(1) / groups, g = o / og;
        int[] zero = {0, 0};
        List<Object> inputs = new ArrayList<>();
        Tensor sum = null;
        for (int j = 0; j < cg; j++) {
            int c = g * cg + j;
            Tensor kernel = w.slice(0, o, o + 1).slice(1, j, j + 1).contiguous();
            Tensor part = Convolution.conv2d(xp.slice(1, c, c + 1).contiguous(), kernel, null, stride, zero, dil, 1);
            sum = sum == null ? part : sum.add(part);
            if (j < MAX_INPUTS) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("channel", c);
                e.put("input", channelPlane(xp, c));
                e.put("kernel", channelPlane(kernel, 0));
                e.put("result", channelPlane(part, 0));
                inputs.add(e);
            }
        }
        double bias = conv.bias() == null ? 0 : conv.bias().get(o);
        Tensor total = sum.add(bias);
        r.put("kind", "convolution");
        r.put("inputChannels", cg);
        r.put("inputs", inputs);
        r.put("padding", new int[] {top, bottom, left, right});
        r.put("stride", stride);
        r.put("dilation", dil);
        r.put("bias", Numbers.round(bias));
        r.put("sum", channelPlane(total, 0));
        r.put("output", channelPlane(out, o));
    }

    /** One channel of the first image of an N x C x H x W tensor, whole: {h, w, data}. */
    static Map<String, Object> channelPlane(Tensor t, int c) {
        Tensor one = t.slice(0, 0, 1).slice(1, c, c + 1).contiguous();
        int h = one.size(2), w = one.size(3);
        return Numbers.plane(one.toFloatArray(), 0, h, w, 1 << 16);
    }

    /** softmax(z)_i = exp(z_i - max z) / sum_j exp(z_j - max z), with the intermediate numbers. */
    private static Map<String, Object> softmax(Inspector.Trace t) {
        float[] z = t.logits().detach().toFloatArray();
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) max = Math.max(max, v);
        double[] e = new double[z.length];
        double s = 0;
        for (int i = 0; i < z.length; i++) s += e[i] = Math.exp(z[i] - max);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("path", "softmax");
        r.put("kind", "softmax");
        r.put("logits", Numbers.list(z));
        r.put("max", Numbers.round(max));
        r.put("exp", Numbers.list(e));
        r.put("sum", Numbers.round(s));
        // The probabilities the library computes; the page shows they equal exp / sum.
        r.put("probabilities", Numbers.list(Softmax.softmax(t.logits().detach(), 1).toFloatArray()));
        return r;
    }
}
