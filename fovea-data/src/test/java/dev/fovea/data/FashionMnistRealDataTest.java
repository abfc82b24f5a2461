package dev.fovea.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real Fashion-MNIST test split, when Debian's dataset-fashion-mnist package is installed. */
class FashionMnistRealDataTest {
    @Test
    void testSplitHasTenThousandBalancedImages() {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST not installed; sudo apt-get install -y dataset-fashion-mnist");
        ImageClassification test = FashionMnist.test(FashionMnist.DEFAULT_DIR);

        assertEquals(10000, test.size());
        assertArrayEquals(new int[] {1, 28, 28}, test.sampleShape());
        int[] perClass = new int[10];
        for (int i = 0; i < test.size(); i++) perClass[test.label(i)]++;
        for (int c = 0; c < 10; c++) assertEquals(1000, perClass[c], "images of class " + c);

        // The published mean and std are the training set's; the test set's own are close, so normalised test
        // pixels should have mean near 0 and standard deviation near 1. A wrong constant or scaling would show here.
        float[] pixels = new float[28 * 28];
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < test.size(); i++) {
            test.sample(i, pixels, 0);
            for (float v : pixels) {
                sum += v;
                sumSq += v * v;
            }
        }
        double n = test.size() * 28.0 * 28.0;
        double mean = sum / n;
        double std = Math.sqrt(sumSq / n - mean * mean);
        assertTrue(Math.abs(mean) < 0.02, "normalised mean " + mean);
        assertTrue(Math.abs(std - 1) < 0.02, "normalised std " + std);
    }
}
