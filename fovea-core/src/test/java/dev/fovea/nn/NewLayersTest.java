package dev.fovea.nn;

import dev.fovea.io.Architecture;
import dev.fovea.io.Json;
import dev.fovea.io.ModelFile;
import dev.fovea.io.ModelFormatException;
import dev.fovea.tensor.Autograd;
import dev.fovea.tensor.ChannelOps;
import dev.fovea.tensor.Convolution;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers ConvTranspose2d, LocalResponseNorm, Maxout, GLU, GatedConv2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d and
 * the containers Concat and Residual: shapes, equivalences, parameters, and model-file round trips.
 */
class NewLayersTest {

    @TempDir
    Path dir;

    private static Tensor input(long seed, int... shape) {
        return Tensor.randn(new Rng(seed), shape);
    }

    private static int[] outShape(Module m, int... inShape) {
        try (var g = Autograd.noGrad()) {
            return m.forward(Tensor.zeros(inShape)).shape();
        }
    }

    private static float[] eval(Module m, Tensor x) {
        m.eval();
        try (var g = Autograd.noGrad()) {
            return m.forward(x).toFloatArray();
        }
    }

    // ---------------------------------------------------------------- ConvTranspose2d

    @Test
    void convTransposeShapes() {
        // DCGAN's generator: a 1x1 latent to 4x4 (k4 s1 p0), then doubling (k4 s2 p1).
        assertArrayEquals(new int[] {2, 64, 4, 4}, outShape(new ConvTranspose2d(100, 64, 4, 1, 0), 2, 100, 1, 1));
        assertArrayEquals(new int[] {2, 32, 8, 8}, outShape(new ConvTranspose2d(64, 32, 4, 2, 1), 2, 64, 4, 4));
        // Conv2d(k3 s2) maps 5x5 and 6x6 to 2x2; ConvTranspose2d goes back to 5x5, or 6x6 with output padding 1.
        assertArrayEquals(new int[] {1, 1, 2, 2}, outShape(new Conv2d(1, 1, 3, 2, 0), 1, 1, 5, 5));
        assertArrayEquals(new int[] {1, 1, 2, 2}, outShape(new Conv2d(1, 1, 3, 2, 0), 1, 1, 6, 6));
        assertArrayEquals(new int[] {1, 1, 5, 5}, outShape(new ConvTranspose2d(1, 1, 3, 2, 0), 1, 1, 2, 2));
        assertArrayEquals(new int[] {1, 1, 6, 6}, outShape(new ConvTranspose2d(1, 1, 3, 2, 0, 1), 1, 1, 2, 2));
        // (2-1)*2 - 0 + 1*(3-1) + 1 + 1 = 6 and (3-1)*3 - 2 + 1*(2-1) + 2 + 1 = 8.
        assertArrayEquals(new int[] {6, 8}, new ConvTranspose2d(1, 1, new int[] {3, 2}, new int[] {2, 3}, new int[] {0, 1},
                new int[] {1, 2}, 1, true, new int[] {1, 1}).outputSize(2, 3));
    }

    @Test
    void convTransposeParametersAndArguments() {
        ConvTranspose2d t = new ConvTranspose2d(6, 4, 3, 2, 1, 1, 2, true, 1);
        assertArrayEquals(new int[] {6, 2, 3, 3}, t.weight().shape(), "in x out/groups x kh x kw, as in PyTorch");
        assertArrayEquals(new int[] {4}, t.bias().shape());
        assertEquals(6 * 2 * 9 + 4, t.parameterCount());
        // The brief's order (groups, dilation, bias) builds the same layer as PyTorch's (groups, bias, dilation).
        assertEquals(new ConvTranspose2d(6, 4, 3, 2, 1, 1, 2, false, 2).toString(), new ConvTranspose2d(6, 4, 3, 2, 1, 1, 2, 2, false).toString());
        assertNull(new ConvTranspose2d(6, 4, 3, 2, 1, 1, 2, false, 2).bias());
        // Output padding must be smaller than the stride or the dilation.
        assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(1, 1, 3, 2, 0, 2));
        new ConvTranspose2d(1, 1, 3, 1, 0, 1, 1, true, 2);
        assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(3, 4, 3, 1, 0, 0, 2, true, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(0, 4, 3));
        // Mult-adds: every input pixel of every input channel meets out/groups x k x k weights.
        assertEquals(6L * 5 * 5 * 2 * 9, t.multiplyAdds(new int[] {1, 6, 5, 5}, new int[] {1, 4, 10, 10}));
    }

    @Test
    void convTransposeLayerIsTheAdjointOfAConvLayerWithTheSameWeight() {
        Rng.manualSeed(3);
        Conv2d conv = new Conv2d(4, 6, 3, 2, 1, 1, 2, false);
        ConvTranspose2d convT = new ConvTranspose2d(6, 4, 3, 2, 1, 1, 2, false, 1);
        convT.weight().copyFrom(conv.weight()); // 6 x 2 x 3 x 3 both
        Tensor x = input(4, 2, 4, 8, 8), y = input(5, 2, 6, 4, 4);
        try (var g = Autograd.noGrad()) {
            double lhs = conv.forward(x).mul(y).sum().item(), rhs = x.mul(convT.forward(y)).sum().item();
            assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)));
        }
    }

    @Test
    void sequentialInitialisesConvTransposeForTheActivationAfterIt() {
        Rng.manualSeed(6);
        Sequential s = new Sequential(new ConvTranspose2d(8, 8, 4, 2, 1), new Tanh());
        // Xavier uniform for tanh: every weight within sqrt(6 / (fan_in + fan_out)), fans from the shape 8 x 8 x 4 x 4.
        double limit = Math.sqrt(6.0 / (8 * 16 + 8 * 16));
        for (float v : ((ConvTranspose2d) s.get(0)).weight().toFloatArray()) assertTrue(Math.abs(v) <= limit);
        Rng.manualSeed(6);
        float max = 0;
        for (float v : new ConvTranspose2d(8, 8, 4, 2, 1).weight().toFloatArray()) max = Math.max(max, Math.abs(v));
        assertTrue(max > limit, "He normal (the default) reaches beyond the Xavier limit, so the check above means something");
    }

    // ---------------------------------------------------------------- GatedConv2d

    @Test
    void gatedConvIsTwoConvolutionsInitialisedSeparately() {
        Rng.manualSeed(7);
        GatedConv2d gated = new GatedConv2d(3, 4, 3, 2, 1, 2, true);
        Rng.manualSeed(7);
        Conv2d a = new Conv2d(3, 4, 3, 2, 1, 2, 1, true), b = new Conv2d(3, 4, 3, 2, 1, 2, 1, true);
        assertArrayEquals(new int[] {8, 3, 3, 3}, gated.weight().shape());
        assertArrayEquals(new int[] {8}, gated.bias().shape());
        // Each half is what a separate Conv2d would have drawn.
        assertArrayEquals(a.weight().toFloatArray(), gated.weight().slice(0, 0, 4).toFloatArray());
        assertArrayEquals(b.weight().toFloatArray(), gated.weight().slice(0, 4, 8).toFloatArray());
        a.bias().copyFrom(input(8, 4));
        b.bias().copyFrom(input(9, 4));
        gated.bias().copyFrom(Tensor.concat(0, a.bias(), b.bias()));
        Tensor x = input(10, 2, 3, 9, 8);
        Tensor expected = a.forward(x).mul(b.forward(x).sigmoid());
        Tensor y = gated.forward(x);
        assertArrayEquals(new int[] {2, 4, 4, 3}, y.shape());
        assertArrayEquals(expected.toFloatArray(), y.toFloatArray(), 1e-5f);
        assertEquals(2 * (4 * 3 * 9 + 4), gated.parameterCount());
        assertEquals(2L * 4 * 3 * 3 * 3 * 9, gated.multiplyAdds(new int[] {1, 3, 9, 8}, new int[] {1, 4, 3, 3}));
    }

    @Test
    void gatedConvTrains() {
        // Gradients reach both halves through the layer (the operations' gradients are checked in ChannelOpsTest).
        Rng.manualSeed(11);
        GatedConv2d gated = new GatedConv2d(2, 3, 3, 1, 1, 1, true);
        gated.forward(input(12, 2, 2, 5, 5)).sum().backward();
        float[] gw = gated.weight().grad().toFloatArray();
        for (int half = 0; half < 2; half++) {
            double norm = 0;
            for (int i = half * gw.length / 2; i < (half + 1) * gw.length / 2; i++) norm += gw[i] * gw[i];
            assertTrue(norm > 0, "half " + half);
        }
    }

    // ---------------------------------------------------------------- LRN, Maxout, GLU, adaptive pooling

    @Test
    void localResponseNormLayer() {
        LocalResponseNorm lrn = new LocalResponseNorm(5);
        assertEquals(Map.of("size", 5, "alpha", 1e-4, "beta", 0.75, "k", 1.0), lrn.config(), "PyTorch's defaults");
        LocalResponseNorm alex = new LocalResponseNorm(5, 1e-4, 0.75, 2);
        Tensor x = input(13, 2, 8, 4, 4).mul(30);
        Tensor y = alex.forward(x);
        // Channel 3 sees channels 1..5.
        double sum = 0;
        for (int c = 1; c <= 5; c++) sum += x.get(1, c, 2, 3) * x.get(1, c, 2, 3);
        assertEquals(x.get(1, 3, 2, 3) / Math.pow(2 + 1e-4 / 5 * sum, 0.75), y.get(1, 3, 2, 3), 1e-5);
        assertEquals(0, lrn.parameterCount());
    }

    @Test
    void maxoutAfterLinearAndConv() {
        Rng.manualSeed(14);
        Sequential fc = new Sequential(new Linear(6, 12), new Maxout(3));
        assertArrayEquals(new int[] {4, 4}, outShape(fc, 4, 6));
        Sequential conv = new Sequential(new Conv2d(3, 8, 3, 1, 1), new Maxout(2));
        assertArrayEquals(new int[] {2, 4, 5, 5}, outShape(conv, 2, 3, 5, 5));
        Tensor x = input(15, 2, 8, 3, 3);
        assertArrayEquals(x.reshape(2, 2, 4, 3, 3).max(2, false).toFloatArray(), new Maxout(4).forward(x).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> new Maxout(0));
    }

    @Test
    void gluLayer() {
        Tensor x = input(16, 3, 4, 6);
        assertArrayEquals(ChannelOps.glu(x, -1).toFloatArray(), new GLU().forward(x).toFloatArray());
        assertArrayEquals(new int[] {3, 2, 6}, new GLU(1).forward(x).shape());
        assertEquals(-1, new GLU().config().get("dim"));
    }

    @Test
    void adaptivePoolingGivesTheSameSizeForAnyInput() {
        AdaptiveAvgPool2d avg = new AdaptiveAvgPool2d(6, 6);
        AdaptiveMaxPool2d max = new AdaptiveMaxPool2d(3);
        for (int size : new int[] {6, 7, 13, 24, 3}) {
            assertArrayEquals(new int[] {2, 5, 6, 6}, outShape(avg, 2, 5, size, size));
            assertArrayEquals(new int[] {2, 5, 3, 3}, outShape(max, 2, 5, size, size + 1));
        }
        Tensor x = input(17, 2, 3, 6, 6);
        assertArrayEquals(new GlobalAvgPool2d().forward(x).toFloatArray(), new AdaptiveAvgPool2d(1).forward(x).toFloatArray(), 1e-6f);
    }

    // ---------------------------------------------------------------- Concat and Residual

    private static Concat inception(long seed) {
        Rng.manualSeed(seed);
        return new Concat(
                new Conv2d(4, 2, 1),
                new Sequential(new Conv2d(4, 3, 1), new ReLU(), new Conv2d(3, 5, 3, 1, 1)),
                new Sequential(new MaxPool2d(3, 1, 1, false), new Conv2d(4, 1, 1)));
    }

    @Test
    void concatRunsEveryBranchOnTheInputAndJoinsChannels() {
        Concat c = inception(18);
        Tensor x = input(19, 2, 4, 6, 5);
        Tensor y = c.forward(x);
        assertArrayEquals(new int[] {2, 2 + 5 + 1, 6, 5}, y.shape());
        List<Module> b = c.branches();
        assertEquals(3, b.size());
        assertArrayEquals(b.get(0).forward(x).toFloatArray(), y.slice(1, 0, 2).toFloatArray());
        assertArrayEquals(b.get(1).forward(x).toFloatArray(), y.slice(1, 2, 7).toFloatArray());
        assertArrayEquals(b.get(2).forward(x).toFloatArray(), y.slice(1, 7, 8).toFloatArray());
        assertEquals(List.of("0.weight", "0.bias", "1.0.weight", "1.0.bias", "1.2.weight", "1.2.bias", "2.1.weight", "2.1.bias"),
                new ArrayList<>(c.namedParameters().keySet()));
        assertThrows(IllegalArgumentException.class, () -> new Concat());
        // Branches whose sizes disagree cannot be joined.
        Concat bad = new Concat(new Conv2d(4, 2, 1), new Conv2d(4, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> bad.forward(x));
    }

    @Test
    void concatGradientsAreEachBranchsOwn() {
        Concat c = inception(20);
        Tensor x = input(21, 2, 4, 5, 5).requiresGrad(true);
        Tensor r = input(22, 2, 8, 5, 5);
        c.forward(x).mul(r).sum().backward();
        Map<String, Tensor> joint = c.namedParameters();
        List<float[]> jointGrads = new ArrayList<>();
        for (Tensor p : joint.values()) jointGrads.add(p.grad().toFloatArray());
        float[] jointGx = x.grad().toFloatArray();
        c.zeroGrad();
        x.zeroGrad();
        // The same loss as a sum over branches run one at a time.
        int at = 0;
        for (Module b : c.branches()) {
            Tensor yb = b.forward(x);
            int ch = yb.size(1);
            yb.mul(r.slice(1, at, at + ch)).sum().backward();
            at += ch;
        }
        int i = 0;
        for (var e : joint.entrySet()) assertArrayEquals(e.getValue().grad().toFloatArray(), jointGrads.get(i++), 1e-5f, e.getKey());
        assertArrayEquals(x.grad().toFloatArray(), jointGx, 1e-5f, "input gradient sums over the branches");
    }

    @Test
    void residualAddsTheInputOrTheShortcut() {
        Rng.manualSeed(23);
        Sequential body = new Sequential(new Conv2d(3, 3, 3, 1, 1), new ReLU(), new Conv2d(3, 3, 3, 1, 1));
        Residual res = new Residual(body);
        Tensor x = input(24, 2, 3, 5, 5);
        assertArrayEquals(x.add(body.forward(x)).toFloatArray(), res.forward(x).toFloatArray());
        assertEquals(List.of("body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias"), new ArrayList<>(res.namedParameters().keySet()));
        assertNull(res.shortcut());

        Sequential down = new Sequential(new Conv2d(3, 6, 3, 2, 1), new ReLU(), new Conv2d(6, 6, 3, 1, 1));
        Conv2d projection = new Conv2d(3, 6, 1, 2, 0);
        Residual block = new Residual(down, projection);
        assertArrayEquals(projection.forward(x).add(down.forward(x)).toFloatArray(), block.forward(x).toFloatArray());
        assertNotNull(block.shortcut());
        assertTrue(block.namedParameters().containsKey("shortcut.weight"));
        // Without a shortcut the shapes must agree, and the error says so.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Residual(down).forward(x));
        assertTrue(e.getMessage().contains("shortcut"), e.getMessage());
        assertEquals(2, Residual.of(List.of(down, projection)).children().size());
        assertThrows(IllegalArgumentException.class, () -> Residual.of(List.of()));
    }

    @Test
    void residualGradientIsIdentityPlusBody() {
        Rng.manualSeed(25);
        Conv2d body = new Conv2d(2, 2, 3, 1, 1);
        Residual res = new Residual(body);
        Tensor x = input(26, 1, 2, 4, 4).requiresGrad(true);
        Tensor r = input(27, 1, 2, 4, 4);
        res.forward(x).mul(r).sum().backward();
        float[] gRes = x.grad().toFloatArray();
        x.zeroGrad();
        body.zeroGrad();
        body.forward(x).mul(r).sum().backward();
        float[] gBody = x.grad().toFloatArray(), rf = r.toFloatArray();
        for (int i = 0; i < gRes.length; i++) assertEquals(rf[i] + gBody[i], gRes[i], 1e-5f);
    }

    @Test
    void summaryListsTheLeavesInsideContainers() {
        Sequential net = new Sequential(inception(28), new ReLU(), new Residual(new Conv2d(8, 8, 3, 1, 1)), new GlobalAvgPool2d());
        Summary s = net.summary(4, 6, 6);
        List<String> paths = new ArrayList<>();
        for (Summary.Row r : s.rows()) paths.add(r.path());
        assertEquals(List.of("0.0", "0.1.0", "0.1.1", "0.1.2", "0.2.0", "0.2.1", "1", "2.body", "3"), paths);
        assertEquals(net.parameterCount(), s.totalParameters());
    }

    // ---------------------------------------------------------------- model files

    private static Sequential everyNewLayer(long seed) {
        Rng.manualSeed(seed);
        return new Sequential(
                new ConvTranspose2d(3, 8, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 0}, 1, true, new int[] {1, 2}),
                new LocalResponseNorm(5, 1e-2, 0.75, 2),                                       // 8 x 12 x 9
                new ConvTranspose2d(8, 4, 3, 1, 1, 1, 2, 2, false),                            // groups 2, dilation 2, op 1 > stride: 4 x 15 x 12
                new GatedConv2d(4, 6, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, true),
                new Maxout(2),                                                                 // 3 x 15 x 12
                new AdaptiveMaxPool2d(7, 5),
                new Conv2d(3, 4, 1),
                new GLU(1),                                                                    // 2 x 7 x 5
                new AdaptiveAvgPool2d(3, 2),
                new Flatten(),
                new Linear(12, 4),
                new GLU());
    }

    @Test
    void everyNewLayerRoundTripsThroughAModelFile() throws IOException {
        Sequential model = everyNewLayer(29);
        Tensor x = input(30, 2, 3, 6, 7);
        float[] before = eval(model, x);
        assertEquals(4, before.length);
        assertFalse(Arrays.equals(before, eval(everyNewLayer(31), x)), "a fresh model computes something else");
        Path p = dir.resolve("new-layers.fovea");
        ModelFile.save(p, model, null);
        Module back = ModelFile.load(p).model();
        assertEquals(model.toString(), back.toString());
        assertEquals(model.stateDict().keySet(), back.stateDict().keySet());
        assertArrayEquals(before, eval(back, x));
        for (int i = 0; i < model.size(); i++) assertEquals(model.get(i).getClass(), ((Sequential) back).get(i).getClass());
    }

    private static Sequential googLeNetish(long seed) {
        Rng.manualSeed(seed);
        return new Sequential(
                new Conv2d(3, 4, 3, 1, 1), new ReLU(),
                inception(seed + 1), new ReLU(),
                new Residual(new Sequential(new Conv2d(8, 8, 3, 1, 1), new ReLU(), new Conv2d(8, 8, 3, 1, 1))),
                new Residual(new Conv2d(8, 6, 3, 2, 1), new Conv2d(8, 6, 1, 2, 0)),
                new AdaptiveAvgPool2d(1), new Flatten(), new Linear(6, 3));
    }

    @Test
    void containersRoundTripThroughAModelFile() throws IOException {
        Sequential model = googLeNetish(32);
        Tensor x = input(33, 2, 3, 8, 8);
        float[] before = eval(model, x);
        assertFalse(Arrays.equals(before, eval(googLeNetish(34), x)), "a fresh model computes something else");
        Path p = dir.resolve("containers.fovea");
        ModelFile.save(p, model, null);
        Module back = ModelFile.load(p).model();
        assertInstanceOf(Concat.class, back.children().get("2"));
        assertInstanceOf(Residual.class, back.children().get("4"));
        assertNotNull(((Residual) back.children().get("5")).shortcut());
        assertEquals(model.toString(), back.toString());
        assertEquals(new ArrayList<>(model.stateDict().keySet()), new ArrayList<>(back.stateDict().keySet()));
        assertArrayEquals(before, eval(back, x));
    }

    @Test
    void malformedContainersAreRefusedWithTheirPlace() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Architecture.build(Json.parse(
                "{\"type\": \"Sequential\", \"children\": [{\"type\": \"Residual\", \"children\": []}]}")));
        assertTrue(e.getMessage().contains("architecture.0") && e.getMessage().contains("invalid Residual"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> Architecture.build(Json.parse("{\"type\": \"Concat\", \"children\": []}")));
        assertTrue(e.getMessage().contains("invalid Concat"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> Architecture.build(Json.parse("{\"type\": \"Concat\"}")));
        assertTrue(e.getMessage().contains("Concat without \"children\""), e.getMessage());
        // Described containers carry their children and no config.
        Map<String, Object> d = Architecture.describe(new Residual(new ReLU(), new Flatten()));
        assertEquals(List.of("type", "children"), new ArrayList<>(d.keySet()));
        assertEquals(2, ((List<?>) d.get("children")).size());
    }

    @Test
    void containersAreRefusedClearlyUntilArchitectureStoresTheirChildren() {
        // Guards against a half-way state: whatever Architecture does with Concat, it must not save it without its branches.
        Concat c = inception(35);
        try {
            Map<String, Object> d = Architecture.describe(c);
            assertTrue(d.containsKey("children"), "a Concat described without its children: " + d);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("not registered"), e.getMessage());
        }
    }

    @Test
    void gatedConvEqualsTheConvolutionThenGluItIsMadeOf() {
        Rng.manualSeed(36);
        GatedConv2d g = new GatedConv2d(2, 3, 3);
        Tensor x = input(37, 1, 2, 5, 5);
        Tensor direct = ChannelOps.glu(Convolution.conv2d(x, g.weight(), g.bias(), new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1), 1);
        assertArrayEquals(direct.toFloatArray(), g.forward(x).toFloatArray());
    }
}
