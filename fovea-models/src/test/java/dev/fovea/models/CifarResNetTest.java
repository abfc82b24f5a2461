package dev.fovea.models;

import dev.fovea.io.ModelFile;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.GlobalAvgPool2d;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.nn.Summary;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CIFAR ResNets of He et al. 2015 (section 4.2) with option A shortcuts. */
class CifarResNetTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- the architecture, counted by hand

    private static long conv3x3(int in, int out) {
        return 9L * in * out; // no bias: batch norm follows
    }

    private static long bn(int channels) {
        return 2L * channels; // weight and bias; running statistics are buffers, not parameters
    }

    /**
     * Parameters of a 6n+2 CIFAR ResNet, walked through the paper's description: stem conv and BN, then three
     * stages of n blocks of two convs and two BNs (16, 32, 64 channels), option A shortcuts (no parameters),
     * then Linear(64, classes).
     */
    private static long expectedParameters(int depth, int inChannels, int classes) {
        int n = (depth - 2) / 6;
        long p = conv3x3(inChannels, 16) + bn(16);
        int in = 16;
        for (int width : new int[] {16, 32, 64}) {
            for (int b = 0; b < n; b++) {
                p += conv3x3(b == 0 ? in : width, width) + bn(width) + conv3x3(width, width) + bn(width);
            }
            in = width;
        }
        return p + 64L * classes + classes;
    }

    @Test
    void parameterCountsFollowTheArchitecture() {
        // Closed form for 3 channels and 10 classes, term by term:
        //   stem 3*16*9 + 32 = 464, fc 64*10 + 10 = 650
        //   stage 1: n blocks of 2*(16*16*9 + 32) = 4,672
        //   stage 2: 16*32*9 + 64 + 32*32*9 + 64 = 13,952, then n-1 blocks of 2*(32*32*9 + 64) = 18,560
        //   stage 3: 32*64*9 + 128 + 64*64*9 + 128 = 55,552, then n-1 blocks of 2*(64*64*9 + 128) = 73,984
        //   total = 464 + 650 + 13,952 + 55,552 - 18,560 - 73,984 + n * (4,672 + 18,560 + 73,984) = 97,216 n - 21,926
        for (int n : new int[] {1, 3, 5, 7, 9, 18}) {
            assertEquals(97_216L * n - 21_926, expectedParameters(6 * n + 2, 3, 10), "n=" + n);
        }
        // The figures published for option A (e.g. the PyTorch reference implementations' printed counts).
        assertEquals(269_722, expectedParameters(20, 3, 10));
        assertEquals(853_018, expectedParameters(56, 3, 10));
        assertEquals(1_727_962, expectedParameters(110, 3, 10));
        // 272,474 and 855,770, also seen quoted, are option B: a 1x1 projection conv + BN at the two stage
        // transitions adds 16*32 + 64 + 32*64 + 128 = 2,752 parameters.
        assertEquals(272_474, expectedParameters(20, 3, 10) + 16 * 32 + 64 + 32 * 64 + 128);
        assertEquals(855_770, expectedParameters(56, 3, 10) + 2_752);

        Rng.manualSeed(1);
        for (int depth : new int[] {8, 20, 32, 44, 56, 110}) {
            assertEquals(expectedParameters(depth, 3, 10), new CifarResNet(depth, 3, 10).parameterCount(), "depth " + depth);
        }
        assertEquals(expectedParameters(20, 1, 7), CifarResNet.resnet20(1, 7).parameterCount());
        assertEquals(expectedParameters(56, 4, 100), CifarResNet.resnet56(4, 100).parameterCount());
    }

    @Test
    void depthMustBe6nPlus2() {
        for (int depth : new int[] {0, 2, 19, 21, 100}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new CifarResNet(depth, 3, 10));
            assertTrue(e.getMessage().contains("6n+2") && e.getMessage().contains(Integer.toString(depth)), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new CifarResNet(20, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new CifarResNet(20, 3, 0));
    }

    // ---------------------------------------------------------------- shapes and inputs

    @Test
    void mapsBatchesOfCifarAndMnistSizedImagesToClassScores() {
        Rng.manualSeed(2);
        Tensor cifar = CifarResNet.resnet20(3, 10).predict(Tensor.randn(new Rng(3), 2, 3, 32, 32));
        assertArrayEquals(new int[] {2, 10}, cifar.shape());
        // Global pooling adapts: 28x28 gives 28, 14, 7 pixel maps in the three stages.
        Tensor mnist = CifarResNet.resnet20(1, 10).predict(Tensor.randn(new Rng(4), 2, 1, 28, 28));
        assertArrayEquals(new int[] {2, 10}, mnist.shape());
        Tensor odd = CifarResNet.resnet20(2, 5).predict(Tensor.randn(new Rng(5), 1, 2, 8, 13));
        assertArrayEquals(new int[] {1, 5}, odd.shape());
        for (float v : cifar.toFloatArray()) assertTrue(Float.isFinite(v));
    }

    @Test
    void refusesInputsTooSmallOrOfTheWrongShape() {
        Rng.manualSeed(6);
        CifarResNet net = CifarResNet.resnet20(3, 10);
        var small = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(1, 3, 7, 7)));
        assertTrue(small.getMessage().contains("ResNet-20") && small.getMessage().contains("7x7") && small.getMessage().contains("8x8"), small.getMessage());
        var narrow = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(1, 3, 32, 4)));
        assertTrue(narrow.getMessage().contains("32x4"), narrow.getMessage());
        var channels = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(2, 1, 32, 32)));
        assertTrue(channels.getMessage().contains("ResNet-20") && channels.getMessage().contains("[2, 1, 32, 32]"), channels.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(3, 32, 32)));
        assertArrayEquals(new int[] {1, 10}, net.predict(Tensor.zeros(1, 3, 8, 8)).shape());
    }

    // ---------------------------------------------------------------- the shortcut

    @Test
    void shortcutSubsamplesAndPadsChannelsHalfBeforeHalfAfter() {
        Tensor x = Tensor.randn(new Rng(7), 2, 2, 7, 7);
        Tensor y = new ZeroPadShortcut(2, 6, 2).call(x);
        // 7 -> 4, like a 3x3 convolution with padding 1 and stride 2.
        assertArrayEquals(new int[] {2, 6, 4, 4}, y.shape());
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 6; c++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        double expect = c >= 2 && c < 4 ? x.get(n, c - 2, 2 * i, 2 * j) : 0;
                        assertEquals(expect, y.get(n, c, i, j), "at " + n + "," + c + "," + i + "," + j);
                    }
                }
            }
        }
        // An odd number of new channels: the extra one goes after.
        Tensor z = new ZeroPadShortcut(1, 4, 1).call(Tensor.ones(1, 1, 2, 2));
        assertEquals(1.0, z.get(0, 1, 1, 1));
        assertEquals(4.0, z.sum().item());
    }

    @Test
    void withTheResidualBranchSilencedTheGradientIsExactlyTheShortcuts() {
        Rng.manualSeed(8);
        BasicBlock block = new BasicBlock(4, 8, 2);
        // bn2 weight 0 makes the residual branch output exactly 0: the block becomes relu(shortcut(x)).
        block.stateDict().get("bn2.weight").copyFrom(Tensor.zeros(8));
        Tensor x = Tensor.randn(new Rng(9), 2, 4, 6, 6).requiresGrad(true);
        Tensor r = Tensor.randn(new Rng(10), 2, 8, 3, 3);
        Tensor y = block.call(x);
        y.mul(r).sum().backward();
        Tensor g = x.grad();
        assertNotNull(g);
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 4; c++) {
                for (int h = 0; h < 6; h++) {
                    for (int w = 0; w < 6; w++) {
                        double expect = 0;
                        if (h % 2 == 0 && w % 2 == 0 && x.get(n, c, h, w) > 0) expect = r.get(n, c + 2, h / 2, w / 2);
                        assertEquals(expect, g.get(n, c, h, w), "at " + n + "," + c + "," + h + "," + w);
                    }
                }
            }
        }
    }

    @Test
    void downsamplingBlockGradientsMatchFiniteDifferences() {
        // In evaluation mode a block is piecewise linear (BN is affine with running statistics), so central
        // differences are exact up to float32 rounding unless a step crosses a ReLU kink.
        Rng.manualSeed(11);
        BasicBlock block = new BasicBlock(4, 8, 2);
        Tensor warm = Tensor.randn(new Rng(12), 4, 4, 6, 6);
        block.train();
        block.call(warm);
        block.call(warm.mul(2).add(0.5)); // non-trivial running statistics
        block.eval();
        Tensor x = Tensor.randn(new Rng(13), 2, 4, 6, 6).requiresGrad(true);
        Tensor r = Tensor.randn(new Rng(14), 2, 8, 3, 3);
        block.zeroGrad();
        block.call(x).mul(r).sum().backward();

        Map<String, Tensor> params = block.namedParameters();
        int[][] inputPoints = {{0, 0, 0, 0}, {0, 1, 2, 4}, {1, 3, 4, 2}, {0, 2, 1, 3}, {1, 0, 5, 5}, {1, 2, 3, 0}};
        for (int[] at : inputPoints) check(block, x, r, x, at, "x" + Arrays.toString(at));
        Tensor w1 = params.get("conv1.weight"), w2 = params.get("conv2.weight"), g2 = params.get("bn2.weight");
        check(block, x, r, w1, new int[] {0, 0, 1, 1}, "conv1.weight");
        check(block, x, r, w1, new int[] {7, 3, 2, 0}, "conv1.weight");
        check(block, x, r, w2, new int[] {5, 6, 0, 2}, "conv2.weight");
        check(block, x, r, g2, new int[] {3}, "bn2.weight");
    }

    private static void check(Module block, Tensor x, Tensor r, Tensor t, int[] at, String what) {
        double eps = 1e-2;
        double analytic = t.grad().get(at);
        double v = t.get(at);
        t.set(v + eps, at);
        double plus = weightedSum(block.predict(x), r);
        t.set(v - eps, at);
        double minus = weightedSum(block.predict(x), r);
        t.set(v, at);
        double numeric = (plus - minus) / (2 * eps);
        assertTrue(Math.abs(analytic - numeric) <= 2e-3 * (1 + Math.abs(numeric)), what + ": analytic " + analytic + ", numeric " + numeric);
    }

    private static double weightedSum(Tensor y, Tensor r) {
        double[] a = y.toDoubleArray(), b = r.toDoubleArray();
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    // ---------------------------------------------------------------- training

    @Test
    void everyParameterReceivesAGradient() {
        Rng.manualSeed(15);
        CifarResNet net = CifarResNet.resnet20(3, 10);
        Tensor x = Tensor.randn(new Rng(16), 4, 3, 16, 16);
        new CrossEntropyLoss().forward(net.call(x), new int[] {1, 7, 3, 3}).backward();
        for (var e : net.namedParameters().entrySet()) {
            Tensor g = e.getValue().grad();
            assertNotNull(g, e.getKey());
            double max = 0;
            for (float v : g.toFloatArray()) max = Math.max(max, Math.abs(v));
            assertTrue(max > 0 && Double.isFinite(max), e.getKey() + ": gradient max |g| = " + max);
        }
    }

    @Test
    void sgdStepsOnAFixedBatchLowerTheLoss() {
        Rng.manualSeed(17);
        CifarResNet net = CifarResNet.resnet20(3, 10);
        Tensor x = Tensor.randn(new Rng(18), 8, 3, 16, 16);
        int[] y = {0, 1, 2, 3, 4, 5, 6, 7};
        SGD sgd = new SGD(net.parameters(), 0.05, 0.9, 0, false);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        double[] losses = new double[6];
        for (int step = 0; step < losses.length; step++) {
            sgd.zeroGrad();
            Tensor loss = ce.forward(net.call(x), y);
            losses[step] = loss.item();
            loss.backward();
            sgd.step();
        }
        assertNotEquals(losses[0], losses[1], "one step changes the loss");
        assertTrue(losses[losses.length - 1] < 0.8 * losses[0], "losses " + Arrays.toString(losses));
    }

    // ---------------------------------------------------------------- model files, summary, zoo

    @Test
    void modelFileRoundTripIsBitIdentical() throws IOException {
        Rng.manualSeed(19);
        CifarResNet net = CifarResNet.resnet20(3, 10);
        net.train();
        Rng data = new Rng(20);
        for (int i = 0; i < 3; i++) net.call(Tensor.randn(data, 4, 3, 16, 16).mul(1 + i).add(i));
        Tensor mean = net.stateDict().get("layer3.2.bn2.running_mean");
        assertTrue(Arrays.stream(mean.toDoubleArray()).anyMatch(v -> v != 0), "training forwards moved the running statistics");

        Path file = dir.resolve("resnet20.fovea");
        ModelFile.save(file, net, Map.of("classes", 10));
        Module loaded = ModelFile.load(file).model();
        CifarResNet back = assertInstanceOf(CifarResNet.class, loaded);
        assertEquals(net.config(), back.config());
        assertEquals(20, back.depth());

        Map<String, Tensor> a = net.stateDict(), b = back.stateDict();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
        Tensor probe = Tensor.randn(new Rng(21), 3, 3, 32, 32);
        assertArrayEquals(net.predict(probe).toFloatArray(), back.predict(probe).toFloatArray());
    }

    @Test
    void blocksCanBeSavedInsideSequentialModels() throws IOException {
        Rng.manualSeed(22);
        Sequential small = new Sequential(new Conv2d(1, 4, 3, 1, 1), new BasicBlock(4, 8, 2), new BasicBlock(8, 8, 1),
                new GlobalAvgPool2d(), new Flatten(), new Linear(8, 3));
        small.call(Tensor.randn(new Rng(23), 4, 1, 10, 10)); // move the running statistics
        Path file = dir.resolve("small.fovea");
        ModelFile.save(file, small, null);
        Module back = ModelFile.load(file).model();
        Tensor probe = Tensor.randn(new Rng(24), 2, 1, 10, 10);
        assertArrayEquals(small.predict(probe).toFloatArray(), back.predict(probe).toFloatArray());
    }

    @Test
    void summaryCountsFortyMillionMultiplyAddsForResNet20() {
        // Convolutions at 32x32 input (output pixels x out channels x in channels x 9), plus the final layer:
        long stem = 32L * 32 * 16 * 3 * 9;                 //    442,368
        long same = 32L * 32 * 16 * 16 * 9;                // 2,359,296 for every stride-1 conv: 32x32x16, 16x16x32, 8x8x64
        long down = 16L * 16 * 32 * 16 * 9;                // 1,179,648 for each stride-2 conv (16->32, 32->64)
        assertEquals(same, 16L * 16 * 32 * 32 * 9);
        assertEquals(same, 8L * 8 * 64 * 64 * 9);
        assertEquals(down, 8L * 8 * 64 * 32 * 9);
        long expected = stem + 16 * same + 2 * down + 64 * 10; // 18 convs in the blocks: 16 stride-1, 2 stride-2
        assertEquals(40_551_040, expected);

        Rng.manualSeed(25);
        Summary s = CifarResNet.resnet20(3, 10).summary(3, 32, 32);
        assertEquals(expected, s.totalMultiplyAdds());
        assertTrue(Math.abs(s.totalMultiplyAdds() - 40.55e6) <= 0.02 * 40.55e6);
        assertEquals(expectedParameters(20, 3, 10), s.totalParameters());
        assertTrue(s.rows().stream().anyMatch(r -> r.path().equals("layer2.0.shortcut") && r.multiplyAdds() == 0 && r.parameters() == 0
                && Arrays.equals(r.outputShape(), new int[] {1, 32, 16, 16})), s.toString());
        assertArrayEquals(new int[] {1, 10}, s.rows().getLast().outputShape());
    }

    @Test
    void zooHasTheFiveCifarResNets() {
        Rng.manualSeed(26);
        int[] depths = {20, 32, 44, 56, 110};
        for (int depth : depths) {
            String name = "resnet" + depth;
            assertTrue(Zoo.names().contains(name), name);
            assertTrue(Zoo.description(name).contains("ResNet-" + depth), Zoo.description(name));
        }
        Module m = Zoo.create("resnet56", 3, 10);
        assertEquals(56, assertInstanceOf(CifarResNet.class, m).depth());
        assertEquals(853_018, m.parameterCount());
        assertEquals(expectedParameters(20, 1, 10), Zoo.create("resnet20", 1, 10).parameterCount());
    }
}
