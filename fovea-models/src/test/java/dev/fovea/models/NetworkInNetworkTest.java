package dev.fovea.models;

import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.nn.Summary;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Network in Network for CIFAR: 1x1 convolutions and a global-average-pooling head. */
class NetworkInNetworkTest {
    @TempDir
    Path dir;

    @Test
    void countsAndMultiplyAdds() {
        Rng.manualSeed(1);
        Module net = Zoo.create("nin", 3, 10);
        long mlp1 = 3 * 192 * 25 + 192 + 192 * 160 + 160 + 160 * 96 + 96;
        long mlp2 = 96 * 192 * 25 + 192 + 2 * (192 * 192 + 192);
        long mlp3 = 192 * 192 * 9 + 192 + 192 * 192 + 192 + 192 * 10 + 10;
        assertEquals(966_986, mlp1 + mlp2 + mlp3);
        assertEquals(966_986, net.parameterCount());
        assertEquals(1_158_056, NetworkInNetwork.create(3, 1000).parameterCount());
        // No fully connected layer anywhere: the head is a 1x1 convolution to one map per class.
        assertTrue(net.namedModules().values().stream().noneMatch(m -> m instanceof Linear));
        Conv2d last = (Conv2d) net.namedModules().get("features.20");
        assertArrayEquals(new int[] {10, 192, 1, 1}, last.weight().shape());

        Summary s = net.summary(3, 32, 32);
        assertEquals(32L * 32 * (75 * 192 + 192 * 160 + 160 * 96) + 16L * 16 * (96 * 192 * 25 + 2 * 192 * 192) + 8L * 8 * (192 * 192 * 9 + 192 * 192 + 192 * 10),
                s.totalMultiplyAdds());
        assertEquals(222_486_528, s.totalMultiplyAdds());
        assertArrayEquals(new int[] {1, 10, 8, 8}, s.rows().stream().filter(r -> r.path().equals("features.21")).findFirst().orElseThrow().outputShape());
    }

    @Test
    void shapesErrorsTrainingAndModelFiles() throws IOException {
        Rng.manualSeed(2);
        NetworkInNetwork net = NetworkInNetwork.create(3, 10);
        assertArrayEquals(new int[] {3, 10}, net.predict(ModelChecks.images(3, 3, 3, 32, 32)).shape());
        // Scores are averages of ReLU maps: never negative.
        for (float v : net.predict(ModelChecks.images(4, 2, 3, 32, 32)).toFloatArray()) assertTrue(v >= 0);
        int min = NetworkInNetwork.MIN_INPUT_SIZE;
        assertArrayEquals(new int[] {1, 10}, net.predict(ModelChecks.images(5, 1, 3, min, min)).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(1, 3, min - 1, 32)));
        assertTrue(e.getMessage().contains("NiN") && e.getMessage().contains((min - 1) + "x32"), e.getMessage());
        ModelChecks.trainingStepChangesLoss(net, ModelChecks.images(6, 2, 3, 32, 32), new int[] {0, 9});
        ModelChecks.roundTrip(net, dir.resolve("nin.fovea"), ModelChecks.images(7, 2, 3, 32, 32));
    }
}
