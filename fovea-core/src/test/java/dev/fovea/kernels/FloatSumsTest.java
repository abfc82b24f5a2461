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
            double sum = 0, dev = 0, dot = 0, sumB = 0, mean = 0.3;
            float m = 0.3f, is = 1.7f;
            for (int p = at; p < at + len; p++) {
                sum += a[p];
                dev += (a[p] - mean) * (a[p] - mean);
                dot += (double) b[p] * ((a[p] - m) * is); // xhat as batch norm's forward pass computes it, in float
                sumB += b[p];
            }
            double tol = 1e-5 * (len + 1);
            assertEquals(sum, FloatSums.sum(a, at, len), tol, "sum, length " + len);
            assertEquals(dev, FloatSums.squaredDeviations(a, at, len, mean), tol, "squared deviations, length " + len);
            double[] sumG = {1, 0}, sumGH = {0, 2}; // added to, at index 1
            FloatSums.gradientSums(b, a, at, len, m, is, sumG, sumGH, 1);
            assertEquals(1, sumG[0]);
            assertEquals(0, sumGH[0]);
            assertEquals(sumB, sumG[1], tol, "gradient sum, length " + len);
            assertEquals(2 + dot, sumGH[1], tol, "gradient sum times xhat, length " + len);
        }
    }
}
