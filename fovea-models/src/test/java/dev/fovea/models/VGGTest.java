package dev.fovea.models;

import dev.fovea.io.Architecture;
import dev.fovea.nn.Module;
import dev.fovea.nn.Summary;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VGG-11/13/16/19. The models are large (VGG-16: 138 M floats, 553 MB; building one takes seconds), so only VGG-11
 * and VGG-16 are built, one per test; VGG-13 and -19 are counted from their layouts.
 */
class VGGTest {

    /** Parameters from a layout: 3x3 convolutions with bias (and optionally BN), then the three-layer classifier. */
    private static long expectedParameters(int depth, boolean bn, int inChannels, int classes) {
        long p = 0;
        int in = inChannels;
        for (int v : VGG.layout(depth)) {
            if (v == VGG.M) continue;
            p += 9L * in * v + v + (bn ? 2L * v : 0);
            in = v;
        }
        return p + 25_088L * 4096 + 4096 + 4096L * 4096 + 4096 + 4096L * classes + classes;
    }

    @Test
    void layoutsGiveTorchvisionsCounts() {
        assertEquals(132_863_336, expectedParameters(11, false, 3, 1000));
        assertEquals(133_047_848, expectedParameters(13, false, 3, 1000));
        assertEquals(138_357_544, expectedParameters(16, false, 3, 1000));
        assertEquals(143_667_240, expectedParameters(19, false, 3, 1000));
        assertEquals(138_365_992, expectedParameters(16, true, 3, 1000)); // vgg16_bn: one BN per convolution, 8,448 more
        for (int depth : new int[] {11, 13, 16, 19}) {
            int[] l = VGG.layout(depth);
            assertEquals(depth - 3, l.length - 5, "VGG-" + depth + ": depth = convolutions + 3 fully connected layers");
            assertEquals(5, java.util.Arrays.stream(l).filter(v -> v == VGG.M).count());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new VGG(12, false, 3, 10));
        assertTrue(e.getMessage().contains("11, 13, 16 or 19"), e.getMessage());
    }

    @Test
    void vgg16HasTorchvisionsCountAnd15GigaMultiplyAdds() {
        Rng.manualSeed(1);
        long t0 = System.nanoTime();
        Module net = Zoo.create("vgg16", 3, 1000);
        long built = System.nanoTime();
        assertEquals(138_357_544, net.parameterCount());
        assertTrue(net.stateDict().keySet().containsAll(List.of("features.0.weight", "features.28.bias", "classifier.0.weight", "classifier.6.bias")));
        Summary s = net.summary(3, 224, 224);
        long done = System.nanoTime();
        ModelChecks.near(15.47e9, s.totalMultiplyAdds(), 0.02, "VGG-16 multiply-adds");
        assertEquals(15_470_264_320L, s.totalMultiplyAdds());
        assertArrayEquals(new int[] {1, 512, 7, 7}, s.rows().stream().filter(r -> r.path().equals("avgpool")).findFirst().orElseThrow().outputShape());
        System.out.printf("VGG-16: built in %.1f s, 224x224 summary in %.1f s%n", (built - t0) / 1e9, (done - built) / 1e9);
    }

    @Test
    void vgg11CountsAndTrainsOnTheSmallestInput() {
        Rng.manualSeed(2);
        Module net = Zoo.create("vgg11", 3, 1000);
        assertEquals(132_863_336, net.parameterCount());
        assertEquals(expectedParameters(11, false, 3, 1000), net.parameterCount());
        var small = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(1, 3, 28, 28)));
        assertTrue(small.getMessage().contains("VGG-11") && small.getMessage().contains("28x28") && small.getMessage().contains("32x32"), small.getMessage());
        // 32x32 is the smallest input: 1x1 maps after the fifth pooling, copied to 7x7 by the adaptive pooling.
        Tensor x = ModelChecks.images(3, 1, 3, 32, 32);
        assertArrayEquals(new int[] {1, 1000}, net.predict(x).shape());
        ModelChecks.trainingStepChangesLoss(net, x, new int[] {7});

        // A model file stores the type and config (rebuilding would mean a second 133 M parameter model).
        Map<String, Object> stored = Architecture.describe(net);
        assertEquals("VGG", stored.get("type"));
        assertEquals(Map.of("depth", 11, "batchNorm", false, "inChannels", 3, "classes", 1000), stored.get("config"));
        assertTrue(new ModelsLayerProvider().layers().containsKey("VGG"));
    }
}
