package dev.fovea.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vector sums against plain double loops, on segments of every length around the vector widths and offsets. */
class FloatSumsTest {
    @Test
    void agreeWithPlainLoops() {
        Random r = new Random(5);
        float[] a = new float[700], b = new float[700];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextGaussian() + 0.5);
            b[i] = (float) r.nextGaussian();
        }
        for (int len = 0; len <= 200; len++) {
            int at = r.nextInt(300);
            double sum = 0, dev = 0, dot = 0, mean = 0.3;
            for (int p = at; p < at + len; p++) {
                sum += a[p];
                dev += (a[p] - mean) * (a[p] - mean);
                dot += (double) a[p] * b[p];
            }
            double tol = 1e-5 * (len + 1);
            assertEquals(sum, FloatSums.sum(a, at, len), tol, "sum, length " + len);
            assertEquals(dev, FloatSums.squaredDeviations(a, at, len, mean), tol, "squared deviations, length " + len);
            assertEquals(dot, FloatSums.dot(a, b, at, len), tol, "dot, length " + len);
        }
    }
}
