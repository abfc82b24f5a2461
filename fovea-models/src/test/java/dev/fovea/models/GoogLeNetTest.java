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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GoogLeNet (Inception v1) in torchvision's layout, and the Inception-v3 factorised block. */
class GoogLeNetTest {
    @TempDir
    Path dir;

    /** BasicConv2d: weights without bias, plus BN weight and bias. */
    private static long bc(int in, int out, int k) {
        return (long) in * out * k * k + 2L * out;
    }

    private static long inception(int in, int c1, int c3r, int c3, int c5r, int c5, int pp) {
        return bc(in, c1, 1) + bc(in, c3r, 1) + bc(c3r, c3, 3) + bc(in, c5r, 1) + bc(c5r, c5, 3) + bc(in, pp, 1);
    }

    @Test
    void parameterCountsAreTorchvisions() {
        long stem = bc(3, 64, 7) + bc(64, 64, 1) + bc(64, 192, 3);
        long blocks = inception(192, 64, 96, 128, 16, 32, 32) + inception(256, 128, 128, 192, 32, 96, 64)
                + inception(480, 192, 96, 208, 16, 48, 64) + inception(512, 160, 112, 224, 24, 64, 64) + inception(512, 128, 128, 256, 24, 64, 64)
                + inception(512, 112, 144, 288, 32, 64, 64) + inception(528, 256, 160, 320, 32, 128, 128)
                + inception(832, 256, 160, 320, 32, 128, 128) + inception(832, 384, 192, 384, 48, 128, 128);
        long fc = 1024L * 1000 + 1000;
        assertEquals(6_624_904, stem + blocks + fc);
        long aux1 = bc(512, 128, 1) + 2048L * 1024 + 1024 + 1024L * 1000 + 1000, aux2 = bc(528, 128, 1) + 2048L * 1024 + 1024 + 1024L * 1000 + 1000;
        assertEquals(List.of(3_188_968L, 3_191_016L), List.of(aux1, aux2));
        assertEquals(13_004_888, stem + blocks + fc + aux1 + aux2);

        Rng.manualSeed(1);
        Module plain = Zoo.create("googlenet", 3, 1000);
        assertEquals(6_624_904, plain.parameterCount());
        Module aux = Zoo.create("googlenet_aux", 3, 1000);
        assertEquals(13_004_888, aux.parameterCount());
        assertEquals(3_188_968, aux.children().get("aux1").parameterCount());
        assertTrue(aux.stateDict().keySet().containsAll(List.of("conv1.conv.weight", "conv1.bn.running_var", "inception3a.branch1.conv.weight",
                "inception3a.branch2.1.conv.weight", "inception4e.branch4.1.bn.bias", "aux1.conv.conv.weight", "aux2.fc2.bias", "fc.weight")));
        assertEquals(0.001, ((BasicConv2d) plain.children().get("conv1")).config().get("eps"));
    }

    @Test
    void summaryAt224() {
        Rng.manualSeed(2);
        Summary s = GoogLeNet.withAux(3, 1000).summary(3, 224, 224);
        // The auxiliary classifiers do not run in evaluation mode: the same 1.50 G as without them.
        assertEquals(1_498_376_192, s.totalMultiplyAdds());
        ModelChecks.near(1.50e9, s.totalMultiplyAdds(), 0.02, "GoogLeNet multiply-adds");
        assertEquals(13_004_888, s.totalParameters());
        assertTrue(s.rows().stream().noneMatch(r -> r.path().startsWith("aux")));
        assertArrayEquals(new int[] {1, 832, 7, 7}, s.rows().stream().filter(r -> r.path().equals("maxpool4")).findFirst().orElseThrow().outputShape());
    }

    @Test
    void takesInputsDownTo15x15() {
        Rng.manualSeed(3);
        GoogLeNet net = GoogLeNet.create(3, 10);
        assertArrayEquals(new int[] {2, 10}, net.predict(ModelChecks.images(4, 2, 3, 15, 15)).shape());
        assertArrayEquals(new int[] {1, 10}, net.predict(ModelChecks.images(5, 1, 3, 40, 57)).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> net.predict(Tensor.zeros(1, 3, 14, 14)));
        assertTrue(e.getMessage().contains("GoogLeNet") && e.getMessage().contains("14x14") && e.getMessage().contains("15x15"), e.getMessage());
    }

    @Test
    void auxiliaryClassifiersTrainOnlyThroughTheAuxLoss() {
        Rng.manualSeed(6);
        GoogLeNet net = GoogLeNet.withAux(3, 10);
        Tensor x = ModelChecks.images(7, 2, 3, 64, 64); // 2x2 maps at the end: batch norm over more than two values
        int[] y = {1, 8};
        net.train();
        GoogLeNet.Outputs o = net.forwardWithAux(x);
        assertArrayEquals(new int[] {2, 10}, o.aux1().shape());
        assertArrayEquals(new int[] {2, 10}, o.aux2().shape());
        net.eval();
        assertNull(net.forwardWithAux(x).aux1(), "no auxiliary outputs in evaluation mode");

        // The plain forward pass leaves the auxiliary heads out of the graph.
        net.train();
        new dev.fovea.nn.CrossEntropyLoss().forward(net.call(x), y).backward();
        assertNull(net.stateDict().get("aux1.fc2.weight").grad());
        assertNotNull(net.stateDict().get("fc.weight").grad());
        net.zeroGrad();

        // The paper's loss: main + 0.3 x (aux1 + aux2); every parameter, the auxiliary heads' included, gets a gradient.
        ModelChecks.trainingStepChangesLoss(net, x, y, (m, in) -> ((GoogLeNet) m).loss(in, y));
        net.eval();
        var ce = new dev.fovea.nn.CrossEntropyLoss();
        assertEquals(ce.forward(net.predict(x), y).item(), net.loss(x, y).item(), 1e-6, "in evaluation mode the loss is the main one");
    }

    @Test
    void trainsAndRoundTripsWithoutAux() throws IOException {
        Rng.manualSeed(8);
        GoogLeNet net = GoogLeNet.create(1, 5);
        ModelChecks.trainingStepChangesLoss(net, ModelChecks.images(9, 2, 1, 64, 64), new int[] {0, 4});
        Module back = ModelChecks.roundTrip(net, dir.resolve("googlenet.fovea"), ModelChecks.images(10, 2, 1, 32, 32));
        assertFalse(assertInstanceOf(GoogLeNet.class, back).hasAux());
    }

    // ---------------------------------------------------------------- Inception-v3's factorised block

    @Test
    void inceptionCFactorisesSevenBySevenIntoOneBySevenAndSevenByOne() {
        // torchvision's Mixed_6b, InceptionC(768, c7 = 128).
        long expected = bc(768, 192, 1) + (bc(768, 128, 1) + 128L * 128 * 7 + 256 + 128L * 192 * 7 + 384)
                + (bc(768, 128, 1) + 3 * (128L * 128 * 7 + 256) + 128L * 192 * 7 + 384) + bc(768, 192, 1);
        assertEquals(1_297_408, expected);
        Rng.manualSeed(11);
        InceptionC block = new InceptionC(768, 128);
        assertEquals(expected, block.parameterCount());
        assertArrayEquals(new int[] {128, 128, 1, 7}, block.stateDict().get("branch7x7_2.conv.weight").shape());
        assertArrayEquals(new int[] {192, 128, 7, 1}, block.stateDict().get("branch7x7_3.conv.weight").shape());
        assertArrayEquals(new int[] {128, 128, 7, 1}, block.stateDict().get("branch7x7dbl_2.conv.weight").shape());
        assertArrayEquals(new int[] {192, 128, 1, 7}, block.stateDict().get("branch7x7dbl_5.conv.weight").shape());
        assertTrue(block.stateDict().containsKey("branch_pool.bn.running_mean"));
        // A full 7x7 would cost 49 weights per channel pair where the pair costs 14: 3.5 times as many.
        assertEquals(128L * 128 * 49, 3.5 * (128L * 128 * 7 * 2), 0);

        InceptionC small = new InceptionC(8, 4, 6);
        Tensor y = small.predict(ModelChecks.images(12, 2, 8, 17, 17));
        assertArrayEquals(new int[] {2, 24, 17, 17}, y.shape());
        assertEquals(24, small.outChannels());
    }

    @Test
    void miniInceptionV3CountsTrainsAndRoundTrips() throws IOException {
        Rng.manualSeed(13);
        Module net = Zoo.create("inception_v3_mini", 3, 10);
        assertEquals(305_706, net.parameterCount());
        Summary s = net.summary(3, 32, 32);
        assertEquals(77_695_488, s.totalMultiplyAdds());
        assertArrayEquals(new int[] {3, 10}, net.predict(ModelChecks.images(14, 3, 3, 32, 32)).shape());
        ModelChecks.trainingStepChangesLoss(net, ModelChecks.images(15, 2, 3, 32, 32), new int[] {2, 9});
        ModelChecks.roundTrip(net, dir.resolve("mini.fovea"), ModelChecks.images(16, 2, 3, 32, 32));
    }
}
