package dev.fovea.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class TransformedDatasetTest {
    private static List<Batch> epoch(DataLoader loader) {
        List<Batch> out = new ArrayList<>();
        for (Batch b : loader) out.add(b);
        return out;
    }

    private static TransformedDataset augmented(long seed) {
        return new TransformedDataset(new FakeDataset(37, 2, 4, 5, 3),
                Transforms.parse("crop:2,flip,erase:0.5,brightness:3", null), seed);
    }

    @Test
    void batchesAreTheSameWithAndWithoutPrefetchAndWithOtherBatchSizes() {
        DataLoader a = new DataLoader(augmented(9), 8, true, 1), b = new DataLoader(augmented(9), 8, true, 1).prefetch(false);
        DataLoader c = new DataLoader(augmented(9), 5, false, 0);
        for (int e = 0; e < 3; e++) {
            List<Batch> x = epoch(a), y = epoch(b), z = epoch(c);
            float[][] bySample = new float[37][];
            for (Batch batch : z) {
                float[] px = batch.images().toFloatArray();
                for (int i = 0; i < batch.size(); i++) bySample[batch.indices()[i]] = Arrays.copyOfRange(px, i * 40, i * 40 + 40);
            }
            for (int k = 0; k < x.size(); k++) {
                assertArrayEquals(x.get(k).indices(), y.get(k).indices());
                assertArrayEquals(x.get(k).images().toFloatArray(), y.get(k).images().toFloatArray());
                float[] px = x.get(k).images().toFloatArray();
                for (int i = 0; i < x.get(k).size(); i++) {
                    assertArrayEquals(bySample[x.get(k).indices()[i]], Arrays.copyOfRange(px, i * 40, i * 40 + 40), "order must not matter");
                }
            }
        }
    }

    @Test
    void epochsAndSeedsGiveFreshAugmentations() {
        TransformedDataset d = augmented(9);
        float[] e0 = new float[40], e1 = new float[40], again = new float[40], other = new float[40];
        d.sample(3, 0, e0, 0);
        d.sample(3, 1, e1, 0);
        d.sample(3, 0, again, 0);
        augmented(10).sample(3, 0, other, 0);
        assertArrayEquals(e0, again);
        assertFalse(Arrays.equals(e0, e1));
        assertFalse(Arrays.equals(e0, other));
        assertEquals(3, d.numClasses());
        assertArrayEquals(new int[] {2, 4, 5}, d.sampleShape());
        TransformedDataset cropped = new TransformedDataset(new FakeDataset(4, 2, 4, 5, 3), Transforms.centerCrop(2, 2), 0);
        assertArrayEquals(new int[] {2, 2, 2}, cropped.sampleShape());
        assertEquals(4, epoch(new DataLoader(cropped, 3, true, 0)).stream().mapToInt(Batch::size).sum());
    }
}
