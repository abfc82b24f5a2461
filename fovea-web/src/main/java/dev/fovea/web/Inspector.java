package dev.fovea.web;

import dev.fovea.nn.Module;
import dev.fovea.tensor.Softmax;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one input through a model (a {@link Replicas replica}) with autograd on, watching every leaf layer, and then
 * back-propagates the winning class's score: what the network view, the saliency map and the explanations show.
 * Activation gradients come from {@link Tensor#retainGrad()} on each layer's output; the saliency map is the
 * gradient with respect to the input pixels (Simonyan et al. 2013: its absolute value, largest over channels).
 */
final class Inspector {
    private Inspector() {}

    /** One leaf layer's call: where it sits in the model, and the tensors it took and gave. */
    record Call(String path, Module module, Tensor input, Tensor output) {}

    /** A traced forward and backward pass. {@code target} is the class whose score was differentiated. */
    record Trace(Tensor input, Tensor logits, float[] probabilities, int target, List<Call> calls) {
        Call call(String path) {
            for (Call c : calls) if (c.path.equals(path)) return c;
            throw new IllegalArgumentException("no layer '" + path + "' in this model");
        }
    }

    /**
     * Traces {@code model} (in evaluation mode) on one normalised input {@code x} of shape {@code shape}; the
     * gradients are those of class {@code target}'s score, or of the top class when {@code target} is negative.
     */
    static Trace trace(Module model, float[] x, int[] shape, int target) {
        Map<Module, String> paths = new IdentityHashMap<>();
        for (var e : model.namedModules().entrySet()) paths.put(e.getValue(), e.getKey());
        Tensor input = Tensor.of(x.clone(), 1, shape[0], shape[1], shape[2]).requiresGrad(true);
        List<Call> calls = new ArrayList<>();
        Tensor logits = Module.observeCalls((m, in, out) -> {
            if (!m.children().isEmpty() || !paths.containsKey(m)) return;
            if (out.requiresGrad() && !out.isLeaf()) out.retainGrad();
            calls.add(new Call(paths.get(m), m, in, out));
        }, () -> model.call(input));
        if (logits.dim() != 2 || logits.size(0) != 1) throw new IllegalStateException("the model should give 1 x classes scores, gave " + Arrays.toString(logits.shape()));
        float[] p = Softmax.softmax(logits.detach(), 1).toFloatArray();
        int k = target;
        if (k < 0) {
            k = 0;
            for (int i = 1; i < p.length; i++) if (p[i] > p[k]) k = i;
        }
        if (k >= p.length) throw new IllegalArgumentException("class " + k + " is out of range; the model has " + p.length + " classes");
        logits.slice(1, k, k + 1).sum().backward();
        return new Trace(input, logits, p, k, calls);
    }

    /** The {@code n} most likely classes, best first, as {class, name, p}. */
    static List<Object> top(float[] p, int n, ServedModel m) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]) != 0 ? Float.compare(p[b], p[a]) : Integer.compare(a, b));
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < Math.min(n, p.length); i++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("class", order[i]);
            e.put("name", m.className(order[i]));
            e.put("p", Numbers.round(p[order[i]]));
            out.add(e);
        }
        return out;
    }

    /** |d score / d pixel|, largest over the channels: one H x W map. */
    static float[] saliency(Trace t) {
        Tensor g = t.input().grad();
        int c = t.input().size(1), h = t.input().size(2), w = t.input().size(3);
        float[] out = new float[h * w];
        if (g == null) return out;
        float[] gv = g.toFloatArray();
        for (int ch = 0; ch < c; ch++) for (int i = 0; i < h * w; i++) out[i] = Math.max(out[i], Math.abs(gv[ch * h * w + i]));
        return out;
    }

    /** Shape, kernel geometry and parameter count of a layer: what the network view lists. */
    static Map<String, Object> describe(Call c) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("path", c.path());
        d.put("type", c.module().typeName());
        d.put("outputShape", c.output().shape());
        Map<String, Object> config = c.module().config();
        for (String k : new String[] {"kernel", "stride", "padding", "dilation", "groups"}) {
            if (config.containsKey(k)) d.put(k, config.get(k));
        }
        d.put("params", c.module().parameterCount());
        return d;
    }

    /**
     * The graph between the leaf layers as they ran: a node per layer, a node per operation done outside any layer
     * (the sum of a residual block, the concatenation of Inception or DenseNet, a functional ReLU), and edges
     * from what produced each tensor to what consumed it, found by walking autograd's graph back from each layer's
     * input to the nearest layer outputs. For a plain Sequential it is a chain; skip and merge edges appear for
     * the zoo's residual and concatenating models.
     */
    static Map<String, Object> graph(Trace t) {
        List<Object> nodes = new ArrayList<>();
        List<Object> edges = new ArrayList<>();
        Map<Tensor, Integer> producer = new IdentityHashMap<>();
        producer.put(t.input(), addNode(nodes, "input", "input", -1));
        for (int i = 0; i < t.calls().size(); i++) {
            Call c = t.calls().get(i);
            List<Integer> from = sources(c.input(), producer, nodes, edges, 0);
            int id = addNode(nodes, "layer", c.module().typeName(), i);
            for (int f : from) edges.add(List.of(f, id));
            producer.put(c.output(), id);
        }
        List<Integer> last = sources(t.logits(), producer, nodes, edges, 0);
        int out = addNode(nodes, "output", "scores", -1);
        for (int f : last) edges.add(List.of(f, out));
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("nodes", nodes);
        g.put("edges", edges);
        return g;
    }

    private static int addNode(List<Object> nodes, String kind, String label, int layer) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("id", nodes.size());
        n.put("kind", kind);
        n.put("label", label);
        if (layer >= 0) n.put("layer", layer);
        nodes.add(n);
        return nodes.size() - 1;
    }

    /** The nodes whose outputs reach tensor {@code x}, adding a node for each operation passed on the way. */
    private static List<Integer> sources(Tensor x, Map<Tensor, Integer> producer, List<Object> nodes, List<Object> edges, int depth) {
        Integer known = producer.get(x);
        if (known != null) return List.of(known);
        if (x.isLeaf() || depth > 200) return List.of(); // a parameter or a constant: not part of the data flow
        List<Integer> from = new ArrayList<>();
        for (Tensor in : x.gradFnInputs()) {
            if (in == null || !in.requiresGrad()) continue;
            for (int f : sources(in, producer, nodes, edges, depth + 1)) if (!from.contains(f)) from.add(f);
        }
        if (from.isEmpty()) return List.of();
        int id = addNode(nodes, "op", x.gradFnName(), -1);
        for (int f : from) edges.add(List.of(f, id));
        producer.put(x, id);
        return List.of(id);
    }
}
