package dev.fovea.models;

import dev.fovea.nn.Summary;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LeNet-5 as published in LeCun et al. 1998, with the simplifications its class documents. */
class LeNet5ClassicTest {
    @TempDir
    Path dir;

    @Test
    void c3HasThePapersConnectionTableAnd1516Parameters() {
        // Table I of the paper: six maps on 3 contiguous S2 maps, six on 4 contiguous, three on 4 non-contiguous, one on all.
        int[][] t = LeNetC3.TABLE;
        assertEquals(16, t.length);
        for (int j = 0; j < 6; j++) assertEquals(Set.of(j, (j + 1) % 6, (j + 2) % 6), set(t[j]), "map " + j);
        for (int j = 0; j < 6; j++) assertEquals(Set.of(j, (j + 1) % 6, (j + 2) % 6, (j + 3) % 6), set(t[6 + j]), "map " + (6 + j));
        assertEquals(Set.of(0, 1, 3, 4), set(t[12]));
        assertEquals(Set.of(1, 2, 4, 5), set(t[13]));
        assertEquals(Set.of(0, 2, 3, 5), set(t[14]));
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), set(t[15]));
        // 60 connections from S2 maps to C3 maps in all, each a 5x5 kernel, plus one bias per map.
        assertEquals(60, Arrays.stream(t).mapToInt(a -> a.length).sum());
        assertEquals(60 * 25 + 16, new LeNetC3().parameterCount());
        assertEquals(1_516, new LeNetC3().parameterCount());
    }

    private static Set<Integer> set(int[] a) {
        return Arrays.stream(a).boxed().collect(Collectors.toSet());
    }

    @Test
    void eachC3MapSeesOnlyItsListedInputs() {
        Rng.manualSeed(1);
        LeNetC3 c3 = new LeNetC3();
        for (int j = 0; j < 16; j++) {
            Tensor x = ModelChecks.images(2, 1, 6, 9, 9).requiresGrad(true);
            Tensor y = c3.call(x);
            assertArrayEquals(new int[] {1, 16, 5, 5}, y.shape());
            y.slice(1, j, j + 1).sum().backward();
            Set<Integer> listed = set(LeNetC3.TABLE[j]);
            for (int c = 0; c < 6; c++) {
                double abs = 0;
                for (float v : x.grad().slice(1, c, c + 1).contiguous().toFloatArray()) abs += Math.abs(v);
                assertEquals(listed.contains(c), abs > 0, "C3 map " + j + " and S2 map " + c);
            }
        }
    }

    @Test
    void parameterCountIsThePapers60000AdjustedForTheSimplifications() {
        Rng.manualSeed(3);
        // The paper: C1 156 + S2 12 + C3 1,516 + S4 32 + C5 48,120 + F6 10,164 = 60,000 trainable parameters.
        long c1 = 6 * 25 + 6, s2 = 2 * 6, c3 = 1_516, s4 = 2 * 16, c5 = 120 * 16 * 25 + 120, f6 = 84 * 120 + 84;
        assertEquals(60_000, c1 + s2 + c3 + s4 + c5 + f6);
        // Here: no trainable sub-sampling (-44), and a Linear(84, 10) output (+850) instead of the fixed RBF units.
        assertEquals(60_806, 60_000 - s2 - s4 + 84 * 10 + 10);
        assertEquals(60_806, new LeNet5Classic(1, 10).parameterCount());
        // 3 channels, 1000 classes: C1 456, output 85,000.
        assertEquals(456 + 1_516 + 48_120 + 10_164 + 85_000, Zoo.create("lenet5_classic", 3, 1000).parameterCount());
        assertEquals(145_256, LeNet5Classic.create(3, 1000).parameterCount());
    }

    @Test
    void summaryCountsTheMultiplyAddsLayerByLayer() {
        Rng.manualSeed(4);
        Summary s = new LeNet5Classic(1, 10).summary(1, 32, 32);
        long c1 = 28L * 28 * 6 * 25, c3 = 10L * 10 * 60 * 25, c5 = 120L * 400, f6 = 120 * 84, out = 84 * 10;
        assertEquals(326_520, c1 + c3 + c5 + f6 + out);
        assertEquals(326_520, s.totalMultiplyAdds());
        assertEquals(60_806, s.totalParameters());
        assertTrue(s.rows().stream().anyMatch(r -> r.path().equals("c3.15") && r.parameters() == 151 && Arrays.equals(r.outputShape(), new int[] {1, 1, 10, 10})), s.toString());
        assertArrayEquals(new int[] {1, 10}, s.rows().getLast().outputShape());
    }

    @Test
    void classifiesBatchesOf32x32AndRefusesOtherSizes() {
        Rng.manualSeed(5);
        LeNet5Classic net = new LeNet5Classic(1, 10);
        assertArrayEquals(new int[] {4, 10}, net.predict(ModelChecks.images(6, 4, 1, 32, 32)).shape());
        var small = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(2, 1, 28, 28)));
        assertTrue(small.getMessage().contains("LeNet-5") && small.getMessage().contains("28x28") && small.getMessage().contains("32x32")
                && small.getMessage().contains("pad"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(2, 1, 36, 36)));
        var channels = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(2, 3, 32, 32)));
        assertTrue(channels.getMessage().contains("[2, 3, 32, 32]"), channels.getMessage());
    }

    @Test
    void trainsAndSurvivesAModelFile() throws IOException {
        Rng.manualSeed(7);
        LeNet5Classic net = new LeNet5Classic(1, 10);
        ModelChecks.trainingStepChangesLoss(net, ModelChecks.images(8, 4, 1, 32, 32), new int[] {0, 3, 5, 9});
        ModelChecks.roundTrip(net, dir.resolve("lenet.fovea"), ModelChecks.images(9, 2, 1, 32, 32));
        ModelChecks.roundTrip(new LeNetC3(), dir.resolve("c3.fovea"), ModelChecks.images(10, 2, 6, 14, 14));
    }
}
