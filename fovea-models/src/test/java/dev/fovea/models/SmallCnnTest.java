package dev.fovea.models;

import dev.fovea.nn.Module;
import dev.fovea.nn.Summary;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SmallCnnTest {
    @Test
    void hasTheParameterCountAndArithmeticOfItsLayers() {
        // convs 1->32, 32->64, 64->128 (3x3 + bias), BN gamma and beta, 1152->256, 256->10
        long convs = (9 + 1) * 32 + (32 * 9 + 1) * 64 + (64 * 9 + 1) * 128;
        long norms = 2 * (32 + 64 + 128);
        assertEquals(convs + norms + 1152 * 256 + 256 + 256 * 10 + 10, SmallCnn.create(1, 10).parameterCount());
        assertEquals(390_858, Zoo.create("smallcnn", 1, 10).parameterCount());
        Summary s = SmallCnn.create(1, 10).summary(1, 28, 28);
        long macs = 28 * 28 * 32 * 9 + 14 * 14 * 64 * 32 * 9 + 7 * 7 * 128 * 64 * 9 + 1152 * 256 + 256 * 10;
        assertEquals(macs, s.totalMultiplyAdds());
    }

    @Test
    void mapsABatchToClassScoresAndTrains() {
        Rng.manualSeed(3);
        Module m = SmallCnn.create(1, 10);
        Tensor x = ModelChecks.images(4, 6, 1, 28, 28);
        m.eval();
        assertArrayEquals(new int[] {6, 10}, m.predict(x).shape());
        m.train();
        ModelChecks.trainingStepChangesLoss(m, x, new int[] {0, 1, 2, 3, 4, 5});
    }
}
