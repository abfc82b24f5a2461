package dev.fovea.web;

import dev.fovea.models.Zoo;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The traced graph shows the zoo's residual sums and concatenations; the saliency map is the input's gradient. */
class InspectorTest {

    private static float[] noise(int n) {
        Rng r = new Rng(3);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @SuppressWarnings("unchecked")
    private static long count(Map<String, Object> graph, String kind, String label) {
        return ((List<Map<String, Object>>) graph.get("nodes")).stream()
                .filter(n -> n.get("kind").equals(kind) && (label == null || n.get("label").equals(label))).count();
    }

    /** Edges that do not join consecutive nodes: the skips drawn as arcs. */
    @SuppressWarnings("unchecked")
    private static long skips(Map<String, Object> graph) {
        return ((List<List<Integer>>) graph.get("edges")).stream().filter(e -> e.get(1) - e.get(0) != 1).count();
    }

    @Test
    void residualNetworksShowTheirSums() {
        Rng.manualSeed(0);
        Module m = Zoo.create("resnet20", 3, 10).eval();
        Inspector.Trace t = Inspector.trace(m, noise(3 * 32 * 32), new int[] {3, 32, 32}, -1);
        Map<String, Object> g = Inspector.graph(t);
        long adds = count(g, "op", "add");
        assertEquals(9, adds, "one sum per basic block of ResNet-20");
        assertTrue(skips(g) >= 9, "each sum takes the block's input by a skip edge");
        assertEquals(t.calls().size(), count(g, "layer", null));
        float[] s = Inspector.saliency(t);
        assertEquals(32 * 32, s.length);
        double total = 0;
        for (float v : s) total += v;
        assertTrue(total > 0, "the winning score depends on the pixels");
    }

    @Test
    void inceptionBlocksShowTheirConcatenations() {
        Rng.manualSeed(0);
        Module m = Zoo.create("inception_v3_mini", 3, 10).eval();
        Inspector.Trace t = Inspector.trace(m, noise(3 * 32 * 32), new int[] {3, 32, 32}, 2);
        Map<String, Object> g = Inspector.graph(t);
        assertTrue(count(g, "op", "concat") >= 2, "concatenations: " + count(g, "op", "concat"));
        assertEquals(2, t.target());
    }
}
