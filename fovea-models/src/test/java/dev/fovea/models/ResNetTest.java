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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** torchvision's ImageNet ResNets with projection shortcuts. */
class ResNetTest {
    @TempDir
    Path dir;

    @Test
    void parameterCountsAreTorchvisions() {
        Rng.manualSeed(1);
        long[][] expected = {{18, 11_689_512}, {34, 21_797_672}, {50, 25_557_032}, {101, 44_549_160}, {152, 60_192_808}};
        for (long[] e : expected) {
            Module net = Zoo.create("resnet" + e[0], 3, 1000);
            assertEquals(e[0], assertInstanceOf(ResNet.class, net).depth());
            assertEquals(e[1], net.parameterCount(), "ResNet-" + e[0]);
        }
        // Any channels and classes: only conv1 and fc change.
        assertEquals(11_689_512 - 64 * 49 * 2 - 512 * 990 - 990, ResNet.resnet18(1, 10).parameterCount());
        var e = assertThrows(IllegalArgumentException.class, () -> new ResNet(20, 3, 10));
        assertTrue(e.getMessage().contains("18, 34, 50, 101 or 152"), e.getMessage());
    }

    @Test
    void stateDictNamesAndShortcutsFollowTorchvision() {
        Rng.manualSeed(2);
        ResNet r18 = ResNet.resnet18(3, 1000);
        var keys = r18.stateDict().keySet();
        assertTrue(keys.containsAll(List.of("conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer1.1.bn2.bias",
                "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var", "layer4.1.conv2.weight", "fc.weight", "fc.bias")), keys.toString());
        assertFalse(keys.contains("layer1.0.downsample.0.weight"), "same shape: identity shortcut");
        assertFalse(keys.contains("layer2.1.downsample.0.weight"));
        assertArrayEquals(new int[] {128, 64, 1, 1}, r18.stateDict().get("layer2.0.downsample.0.weight").shape());

        ResNet r50 = ResNet.resnet50(3, 1000);
        var k50 = r50.stateDict();
        // The first bottleneck widens 64 -> 256 at stride 1: it needs a projection too. v1.5: the stride is on conv2.
        assertArrayEquals(new int[] {256, 64, 1, 1}, k50.get("layer1.0.downsample.0.weight").shape());
        assertArrayEquals(new int[] {128, 256, 1, 1}, k50.get("layer2.0.conv1.weight").shape());
        assertEquals(List.of(2, 2), List.of(((int[]) r50.namedModules().get("layer2.0.conv2").config().get("stride"))[0],
                ((int[]) r50.namedModules().get("layer2.0.downsample.0").config().get("stride"))[0]));
        assertEquals(1, ((int[]) r50.namedModules().get("layer2.0.conv1").config().get("stride"))[0]);
        assertArrayEquals(new int[] {1000, 2048}, k50.get("fc.weight").shape());
    }

    @Test
    void multiplyAddsAt224() {
        Rng.manualSeed(3);
        long t0 = System.nanoTime();
        Summary s18 = ResNet.resnet18(3, 1000).summary(3, 224, 224);
        Summary s50 = ResNet.resnet50(3, 1000).summary(3, 224, 224);
        ModelChecks.near(1.82e9, s18.totalMultiplyAdds(), 0.02, "ResNet-18 multiply-adds");
        ModelChecks.near(4.11e9, s50.totalMultiplyAdds(), 0.02, "ResNet-50 multiply-adds");
        assertEquals(1_814_073_344, s18.totalMultiplyAdds());
        assertEquals(4_089_184_256L, s50.totalMultiplyAdds());
        assertArrayEquals(new int[] {1, 2048, 7, 7}, s50.rows().stream().filter(r -> r.path().equals("layer4.2.bn3")).findFirst().orElseThrow().outputShape());
        System.out.printf("ResNet-18 and -50 built and summarised at 224x224 in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void smallInputsTrainingAndModelFiles() throws IOException {
        Rng.manualSeed(4);
        ResNet net = ResNet.resnet18(3, 10);
        // Global pooling: 32x32 gives 1x1 maps in layer4; even 1x1 inputs pass, as in torchvision.
        assertArrayEquals(new int[] {2, 10}, net.predict(ModelChecks.images(5, 2, 3, 32, 32)).shape());
        assertArrayEquals(new int[] {1, 10}, net.predict(ModelChecks.images(6, 1, 3, 1, 1)).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(2, 1, 32, 32)));
        assertTrue(e.getMessage().contains("ResNet-18") && e.getMessage().contains("[2, 1, 32, 32]"), e.getMessage());
        // Training wants more than 1x1 maps in layer4: batch norm over two values per channel (a batch of two 32x32
        // images) has gradients in the hundreds and one SGD step can blow the network up. 64x64 gives 2x2 maps.
        ModelChecks.trainingStepChangesLoss(net, ModelChecks.images(7, 2, 3, 64, 64), new int[] {1, 6});
        ModelChecks.roundTrip(net, dir.resolve("r18.fovea"), ModelChecks.images(8, 2, 3, 32, 32));

        ResNet r50 = ResNet.resnet50(1, 4);
        ModelChecks.trainingStepChangesLoss(r50, ModelChecks.images(9, 2, 1, 64, 64), new int[] {0, 3});
    }

    @Test
    void blocksWorkOnTheirOwn() throws IOException {
        Rng.manualSeed(10);
        Tensor x = ModelChecks.images(11, 2, 8, 9, 9);
        assertArrayEquals(new int[] {2, 16, 5, 5}, new ResNetBasicBlock(8, 16, 2).predict(x).shape());
        assertArrayEquals(new int[] {2, 8, 9, 9}, new ResNetBasicBlock(8, 8, 1).predict(x).shape());
        Bottleneck b = new Bottleneck(8, 4, 2);
        assertArrayEquals(new int[] {2, 16, 5, 5}, b.predict(x).shape());
        assertEquals(8 * 4 + 8 + 4 * 4 * 9 + 8 + 4 * 16 + 32 + 8 * 16 + 32, b.parameterCount());
        ModelChecks.roundTrip(new dev.fovea.nn.Sequential(new Bottleneck(8, 4, 1), new ResNetBasicBlock(16, 16, 1)), dir.resolve("blocks.fovea"), x);
    }
}
