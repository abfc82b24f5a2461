package dev.fovea.models;

import dev.fovea.io.Architecture;
import dev.fovea.io.Json;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.LocalResponseNorm;
import dev.fovea.nn.Module;
import dev.fovea.nn.Summary;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** torchvision's AlexNet and the two-tower original. Each test builds one 61 M parameter model. */
class AlexNetTest {

    @Test
    void torchvisionAlexNetCountsMultiplyAddsShapesAndTrains() {
        Rng.manualSeed(1);
        Module net = Zoo.create("alexnet", 3, 1000);
        assertInstanceOf(AlexNet.class, net);
        assertEquals(61_100_840, net.parameterCount());
        assertTrue(net.stateDict().keySet().containsAll(List.of("features.0.weight", "features.3.weight", "features.10.bias",
                "classifier.1.weight", "classifier.4.weight", "classifier.6.bias")), net.stateDict().keySet().toString());

        // conv1 55x55x64 x 3x11x11, conv2 27x27x192 x 64x5x5, conv3-5 at 13x13, fc 9216x4096 + 4096x4096 + 4096x1000.
        long expected = 55L * 55 * 64 * 363 + 27L * 27 * 192 * 1600 + 13L * 13 * (384 * 192 + 256 * 384 + 256 * 256) * 9
                + 9216L * 4096 + 4096L * 4096 + 4096L * 1000;
        Summary s = net.summary(3, 224, 224);
        assertEquals(714_188_480, expected);
        assertEquals(expected, s.totalMultiplyAdds());
        ModelChecks.near(0.71e9, s.totalMultiplyAdds(), 0.02, "AlexNet multiply-adds");

        // Adaptive pooling lets the smallest input, 63x63, through: 15 -> 7 -> 3 -> 1, copied to 6x6.
        var small = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(1, 3, 28, 28)));
        assertTrue(small.getMessage().contains("AlexNet") && small.getMessage().contains("28x28") && small.getMessage().contains("63x63"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(1, 3, 62, 100)));
        Tensor x = ModelChecks.images(2, 2, 3, 63, 63);
        assertArrayEquals(new int[] {2, 1000}, net.predict(x).shape());
        ModelChecks.trainingStepChangesLoss(net, x, new int[] {3, 999});

        Map<String, Object> stored = Architecture.describe(net);
        assertEquals("AlexNet", stored.get("type"));
        assertEquals(Map.of("inChannels", 3, "classes", 1000), stored.get("config"));
    }

    @Test
    void originalTwoTowerAlexNetHasBvlcAlexNetsCountAndGroupedLayers() {
        Rng.manualSeed(3);
        OriginalAlexNet net = assertInstanceOf(OriginalAlexNet.class, Zoo.create("alexnet_original", 3, 1000));
        long conv1 = 96L * 3 * 121 + 96, conv2 = 256L * 48 * 25 + 256, conv3 = 384L * 256 * 9 + 384, conv4 = 384L * 192 * 9 + 384,
                conv5 = 256L * 192 * 9 + 256, fc6 = 9216L * 4096 + 4096, fc7 = 4096L * 4096 + 4096, fc8 = 4096L * 1000 + 1000;
        assertEquals(List.of(34_944L, 307_456L, 885_120L, 663_936L, 442_624L), List.of(conv1, conv2, conv3, conv4, conv5));
        assertEquals(60_965_224, conv1 + conv2 + conv3 + conv4 + conv5 + fc6 + fc7 + fc8);
        assertEquals(60_965_224, net.parameterCount());

        List<Integer> groups = net.namedModules().values().stream().filter(m -> m instanceof Conv2d).map(m -> (Integer) m.config().get("groups")).toList();
        assertEquals(List.of(1, 2, 1, 2, 2), groups);
        List<Module> lrn = net.namedModules().values().stream().filter(m -> m instanceof LocalResponseNorm).toList();
        assertEquals(2, lrn.size());
        assertEquals(5, lrn.getFirst().config().get("size"));
        assertEquals(2.0, lrn.getFirst().config().get("k"));

        Summary s = net.summary(3, 227, 227);
        long macs = 55L * 55 * 96 * 363 + 27L * 27 * 256 * 48 * 25 + 13L * 13 * (384 * 256 + 384 * 192 + 256 * 192) * 9 + 9216L * 4096 + 4096L * 4096 + 4096L * 1000;
        assertEquals(724_406_816, macs);
        assertEquals(macs, s.totalMultiplyAdds());
        assertTrue(s.rows().stream().anyMatch(r -> r.path().equals("features.14") && Arrays.equals(r.outputShape(), new int[] {1, 256, 6, 6})), s.toString());

        // fc6 takes 6x6 maps: 227 to 258 fit; 224 (the paper's misprint) does not.
        for (int bad : new int[] {28, 224, 259}) {
            var e = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(1, 3, bad, bad)));
            assertTrue(e.getMessage().contains(bad + "x" + bad) && e.getMessage().contains("227") && e.getMessage().contains("258"), e.getMessage());
        }
        Tensor x = ModelChecks.images(4, 1, 3, 227, 227);
        assertArrayEquals(new int[] {1, 1000}, net.predict(x).shape());
        ModelChecks.trainingStepChangesLoss(net, x, new int[] {42});

        // Model files store the type and config; the provider rebuilds the network (fresh weights) from them.
        Module back = Architecture.build(Json.parse(Json.write(Architecture.describe(net))));
        assertInstanceOf(OriginalAlexNet.class, back);
        assertEquals(net.stateDict().keySet(), back.stateDict().keySet());
    }
}
