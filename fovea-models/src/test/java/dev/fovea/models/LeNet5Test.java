package dev.fovea.models;

import dev.fovea.nn.Module;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeNet5Test {
    @Test
    void hasTheTextbookParameterCount() {
        // conv 6@5x5: 156, conv 16@6x5x5: 2,416, 400->120: 48,120, 120->84: 10,164, 84->10: 850
        assertEquals(61_706, LeNet5.create(1, 10).parameterCount());
        assertEquals(61_706 + 2 * 6 * 25 + 84 * 5 + 5, LeNet5.create(3, 15).parameterCount());
    }

    @Test
    void mapsABatchOfImagesToClassScores() {
        Module m = LeNet5.create(1, 10);
        Tensor y = m.predict(Tensor.randn(new Rng(1), 4, 1, 28, 28));
        assertArrayEquals(new int[] {4, 10}, y.shape());
    }

    @Test
    void zooBuildsByNameAndRejectsUnknownNames() {
        assertEquals(61_706, Zoo.create("lenet5", 1, 10).parameterCount());
        assertTrue(Zoo.names().contains("lenet5"));
        var e = assertThrows(IllegalArgumentException.class, () -> Zoo.create("lenet", 1, 10));
        assertTrue(e.getMessage().contains("lenet5"), e.getMessage());
    }
}
