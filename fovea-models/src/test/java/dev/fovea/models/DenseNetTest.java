package dev.fovea.models;

import dev.fovea.nn.Module;
import dev.fovea.nn.Summary;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DenseNet-121/169/201 (torchvision) and DenseNet-BC-100 for CIFAR. */
class DenseNetTest {
    @TempDir
    Path dir;

    /**
     * Parameters walked through the architecture: stem, then per dense layer BN(c) + 1x1 conv c -> 4k + BN(4k) +
     * 3x3 conv 4k -> k, per transition BN(c) + 1x1 conv c -> c/2, final BN and classifier.
     */
    private static long expected(int k, int[] blocks, int init, boolean small, int inChannels, int classes) {
        long p = small ? 9L * inChannels * init : 49L * inChannels * init + 2L * init;
        int c = init;
        for (int b = 0; b < blocks.length; b++) {
            for (int l = 0; l < blocks[b]; l++) {
                p += 2L * c + (long) c * 4 * k + 2L * 4 * k + 9L * 4 * k * k;
                c += k;
            }
            if (b < blocks.length - 1) {
                p += 2L * c + (long) c * (c / 2);
                c /= 2;
            }
        }
        return p + 2L * c + (long) c * classes + classes;
    }

    @Test
    void parameterCounts() {
        assertEquals(7_978_856, expected(32, new int[] {6, 12, 24, 16}, 64, false, 3, 1000));
        assertEquals(14_149_480, expected(32, new int[] {6, 12, 32, 32}, 64, false, 3, 1000));
        assertEquals(20_013_928, expected(32, new int[] {6, 12, 48, 32}, 64, false, 3, 1000));
        // DenseNet-BC (L = 100, k = 12): 24 -> 216 -> 108 -> 300 -> 150 -> 342 channels; the paper's "0.8M".
        assertEquals(769_162, expected(12, new int[] {16, 16, 16}, 24, true, 3, 10));

        Rng.manualSeed(1);
        assertEquals(7_978_856, Zoo.create("densenet121", 3, 1000).parameterCount());
        assertEquals(14_149_480, Zoo.create("densenet169", 3, 1000).parameterCount());
        assertEquals(20_013_928, Zoo.create("densenet201", 3, 1000).parameterCount());
        DenseNet bc = (DenseNet) Zoo.create("densenet_bc_100", 3, 10);
        assertEquals(769_162, bc.parameterCount());
        assertArrayEquals(new int[] {10, 342}, bc.stateDict().get("classifier.weight").shape());
        assertEquals(expected(12, new int[] {16, 16, 16}, 24, true, 1, 100), DenseNet.densenetBC100(1, 100).parameterCount());
    }

    @Test
    void stateDictNamesFollowTorchvision() {
        Rng.manualSeed(2);
        DenseNet net = DenseNet.densenet121(3, 1000);
        var sd = net.stateDict();
        assertTrue(sd.keySet().containsAll(List.of("features.conv0.weight", "features.norm0.running_mean",
                "features.denseblock1.denselayer1.norm1.weight", "features.denseblock1.denselayer6.conv2.weight",
                "features.transition1.norm.weight", "features.transition3.conv.weight", "features.denseblock4.denselayer16.conv1.weight",
                "features.norm5.bias", "classifier.weight", "classifier.bias")), sd.keySet().toString());
        // Layer 6 of block 1 reads 64 + 5 x 32 channels; the transition halves 256 to 128.
        assertArrayEquals(new int[] {128, 224, 1, 1}, sd.get("features.denseblock1.denselayer6.conv1.weight").shape());
        assertArrayEquals(new int[] {32, 128, 3, 3}, sd.get("features.denseblock1.denselayer6.conv2.weight").shape());
        assertArrayEquals(new int[] {128, 256, 1, 1}, sd.get("features.transition1.conv.weight").shape());
        assertArrayEquals(new int[] {1000, 1024}, sd.get("classifier.weight").shape());
    }

    @Test
    void multiplyAdds() {
        Rng.manualSeed(3);
        Summary s121 = DenseNet.densenet121(3, 1000).summary(3, 224, 224);
        assertEquals(2_834_161_664L, s121.totalMultiplyAdds());
        ModelChecks.near(2.83e9, s121.totalMultiplyAdds(), 0.02, "DenseNet-121 multiply-adds"); // torchvision: 2.83 GFLOPS
        assertArrayEquals(new int[] {1, 1024, 7, 7}, s121.rows().stream().filter(r -> r.path().equals("features.norm5")).findFirst().orElseThrow().outputShape());
        Summary bc = DenseNet.densenetBC100(3, 10).summary(3, 32, 32);
        assertEquals(287_929_692, bc.totalMultiplyAdds());
        assertArrayEquals(new int[] {1, 342, 8, 8}, bc.rows().stream().filter(r -> r.path().equals("features.norm5")).findFirst().orElseThrow().outputShape());
    }

    @Test
    void smallestInputsAndErrors() {
        Rng.manualSeed(4);
        DenseNet net = DenseNet.densenet121(3, 10);
        assertEquals(29, net.minInputSize()); // torchvision's documented minimum
        assertArrayEquals(new int[] {2, 10}, net.predict(ModelChecks.images(5, 2, 3, 29, 29)).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(1, 3, 28, 28)));
        assertTrue(e.getMessage().contains("DenseNet-121") && e.getMessage().contains("28x28") && e.getMessage().contains("29x29"), e.getMessage());
        DenseNet bc = DenseNet.densenetBC100(3, 10);
        assertEquals(4, bc.minInputSize());
        assertArrayEquals(new int[] {1, 10}, bc.predict(ModelChecks.images(6, 1, 3, 4, 4)).shape());
        assertThrows(IllegalArgumentException.class, () -> bc.predict(Tensor.zeros(1, 3, 3, 3)));
        assertThrows(IllegalArgumentException.class, () -> new DenseNet(12, new int[] {16, 0}, 24, 4, 0.5, true, 3, 10));
        assertThrows(IllegalArgumentException.class, () -> new DenseNet(12, new int[] {16}, 24, 4, 0, true, 3, 10));
    }

    @Test
    void trainsAndRoundTrips() throws IOException {
        Rng.manualSeed(7);
        Module bc = DenseNet.densenetBC100(3, 10);
        ModelChecks.trainingStepChangesLoss(bc, ModelChecks.images(8, 2, 3, 16, 16), new int[] {3, 4});
        ModelChecks.roundTrip(bc, dir.resolve("bc.fovea"), ModelChecks.images(9, 2, 3, 16, 16));
        Module d121 = DenseNet.densenet121(1, 5);
        ModelChecks.trainingStepChangesLoss(d121, ModelChecks.images(10, 2, 1, 64, 64), new int[] {0, 2});
    }

    @Test
    void blocksConcatenateEverythingBefore() throws IOException {
        Rng.manualSeed(11);
        DenseBlock block = new DenseBlock(3, 5, 4, 2);
        assertEquals(17, block.outChannels());
        Tensor x = ModelChecks.images(12, 2, 5, 6, 6);
        Tensor y = block.predict(x);
        assertArrayEquals(new int[] {2, 17, 6, 6}, y.shape());
        // The input passes through unchanged as the first channels.
        assertArrayEquals(x.toFloatArray(), y.slice(1, 0, 5).contiguous().toFloatArray());
        assertArrayEquals(new int[] {2, 8, 3, 3}, new Transition(17, 8).predict(y).shape());
        ModelChecks.roundTrip(new dev.fovea.nn.Sequential(block, new Transition(17, 8)), dir.resolve("block.fovea"), x);
    }
}
