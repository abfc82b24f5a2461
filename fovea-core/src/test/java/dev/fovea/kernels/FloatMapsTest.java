package dev.fovea.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vector gate against the plain select, over ranges of every length around the vector width, NaN included. */
class FloatMapsTest {
    @Test
    void gateAgreesWithThePlainSelect() {
        Random r = new Random(9);
        float[] out = new float[300], g = new float[300];
        for (int i = 0; i < out.length; i++) {
            out[i] = i % 11 == 0 ? 0f : (float) r.nextGaussian();
            g[i] = (float) r.nextGaussian();
        }
        out[17] = Float.NaN;
        for (int from = 0; from < 5; from++) {
            for (int to = from; to <= 120; to++) {
                float[] dst = new float[out.length];
                java.util.Arrays.fill(dst, 7f);
                FloatMaps.gate(out, 0f, g, dst, from, to);
                for (int i = 0; i < dst.length; i++) {
                    float expected = i < from || i >= to ? 7f : out[i] > 0f ? g[i] : 0f;
                    assertEquals(expected, dst[i], "from " + from + " to " + to + " at " + i);
                }
            }
        }
    }
}
