package dev.fovea.models;

import dev.fovea.nn.Conv2d;
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

/** MobileNetV2 (torchvision), its inverted residual blocks and ReLU6. */
class MobileNetV2Test {
    @TempDir
    Path dir;

    @Test
    void relu6ClampsAndPassesGradientsOnlyInside() {
        Tensor x = Tensor.of(new float[] {-2, 0.5f, 3, 5.5f, 7, 100}, 6).requiresGrad(true);
        Tensor y = new ReLU6().call(x);
        assertArrayEquals(new float[] {0, 0.5f, 3, 5.5f, 6, 6}, y.toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {0, 1, 1, 1, 0, 0}, x.grad().toFloatArray());
    }

    @Test
    void parameterCountAndMultiplyAddsAreTorchvisions() {
        Rng.manualSeed(1);
        Module net = Zoo.create("mobilenet_v2", 3, 1000);
        assertEquals(3_504_872, net.parameterCount());
        var sd = net.stateDict();
        assertTrue(sd.keySet().containsAll(List.of("features.0.0.weight", "features.0.1.running_var", "features.1.conv.0.0.weight",
                "features.1.conv.1.weight", "features.1.conv.2.bias", "features.2.conv.0.0.weight", "features.2.conv.1.0.weight",
                "features.2.conv.2.weight", "features.2.conv.3.running_mean", "features.17.conv.3.weight", "features.18.0.weight",
                "classifier.1.weight", "classifier.1.bias")), sd.keySet().toString());
        // Depthwise: one 3x3 filter per channel.
        assertArrayEquals(new int[] {96, 1, 3, 3}, sd.get("features.2.conv.1.0.weight").shape());
        assertArrayEquals(new int[] {1280, 320, 1, 1}, sd.get("features.18.0.weight").shape());

        Summary s = net.summary(3, 224, 224);
        assertEquals(300_774_272, s.totalMultiplyAdds());
        ModelChecks.near(0.30e9, s.totalMultiplyAdds(), 0.02, "MobileNetV2 multiply-adds");
        assertArrayEquals(new int[] {1, 1280, 7, 7}, s.rows().stream().filter(r -> r.path().equals("features.18.2")).findFirst().orElseThrow().outputShape());
    }

    @Test
    void widthMultiplierRoundsChannelsToMultiplesOf8() {
        assertEquals(16, MobileNetV2.makeDivisible(32 * 0.5));
        assertEquals(24, MobileNetV2.makeDivisible(24 * 0.75)); // 16 would be more than 10% below 18
        assertEquals(8, MobileNetV2.makeDivisible(16 * 0.35));
        assertEquals(1280, MobileNetV2.makeDivisible(1280));
        Rng.manualSeed(2);
        MobileNetV2 half = new MobileNetV2(0.5, 3, 10);
        assertArrayEquals(new int[] {16, 3, 3, 3}, half.stateDict().get("features.0.0.weight").shape());
        assertArrayEquals(new int[] {1280, 160, 1, 1}, half.stateDict().get("features.18.0.weight").shape()); // at least 1280
        assertArrayEquals(new int[] {2, 10}, half.predict(ModelChecks.images(3, 2, 3, 32, 32)).shape());
    }

    @Test
    void invertedResidualsAddTheInputOnlyWhenShapesAgree() {
        Rng.manualSeed(4);
        Tensor x = ModelChecks.images(5, 2, 8, 6, 6);
        InvertedResidual same = new InvertedResidual(8, 8, 1, 6);
        // Silence the block's last batch norm: the block becomes the identity exactly when it is residual.
        same.stateDict().get("conv.3.weight").copyFrom(Tensor.zeros(8));
        assertArrayEquals(x.toFloatArray(), same.predict(x).toFloatArray());
        InvertedResidual down = new InvertedResidual(8, 8, 2, 6);
        down.stateDict().get("conv.3.weight").copyFrom(Tensor.zeros(8));
        Tensor y = down.predict(x);
        assertArrayEquals(new int[] {2, 8, 3, 3}, y.shape());
        for (float v : y.toFloatArray()) assertEquals(0, v);
        // Expansion 1 has no expanding convolution.
        assertEquals(List.of("conv.0.0.weight", "conv.0.1.weight", "conv.0.1.bias", "conv.1.weight", "conv.2.weight", "conv.2.bias"),
                List.copyOf(new InvertedResidual(8, 4, 1, 1).namedParameters().keySet()));
        assertThrows(IllegalArgumentException.class, () -> new InvertedResidual(8, 8, 3, 6));
    }

    @Test
    void initialisationIsTorchvisions() {
        Rng.manualSeed(6);
        MobileNetV2 net = MobileNetV2.create(3, 1000);
        Conv2d pw = (Conv2d) net.namedModules().get("features.18.0");
        double std = Math.sqrt(2.0 / 1280); // fan-out of a 1x1 convolution to 1280 channels
        ModelChecks.near(std, stdOf(pw.weight()), 0.05, "pointwise std");
        ModelChecks.near(0.01, stdOf(net.stateDict().get("classifier.1.weight")), 0.05, "classifier std");
    }

    private static double stdOf(Tensor t) {
        double s = 0, ss = 0;
        float[] a = t.toFloatArray();
        for (float v : a) {
            s += v;
            ss += v * v;
        }
        double m = s / a.length;
        return Math.sqrt(ss / a.length - m * m);
    }

    @Test
    void trainsAndRoundTrips() throws IOException {
        Rng.manualSeed(7);
        MobileNetV2 net = MobileNetV2.create(3, 10);
        assertArrayEquals(new int[] {1, 10}, net.predict(ModelChecks.images(8, 1, 3, 1, 1)).shape()); // as in torchvision, even 1x1
        var e = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(1, 1, 32, 32)));
        assertTrue(e.getMessage().contains("MobileNetV2"), e.getMessage());
        ModelChecks.trainingStepChangesLoss(net, ModelChecks.images(9, 2, 3, 64, 64), new int[] {2, 5});
        ModelChecks.roundTrip(net, dir.resolve("mnv2.fovea"), ModelChecks.images(10, 2, 3, 32, 32));
    }
}
