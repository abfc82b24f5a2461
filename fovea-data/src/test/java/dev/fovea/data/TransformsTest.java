package dev.fovea.data;

import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformsTest {
    private static final int[] SHAPE = {3, 8, 10};

    /** A structured image with distinct, non-zero values. */
    static float[] image() {
        float[] x = new float[3 * 8 * 10];
        for (int i = 0; i < x.length; i++) x[i] = 1 + (i * 37 % 101) / 10f;
        return x;
    }

    static float[] run(Transform t, float[] x, long seed) {
        return t.apply(x.clone(), SHAPE, new Rng(seed));
    }

    @Test
    void flipsTwiceAreTheIdentityAndOnceMirror() {
        float[] x = image();
        float[] h = run(Transforms.horizontalFlip(1), x, 1);
        assertEquals(x[9], h[0]);
        assertEquals(x[2 * 80 + 3 * 10 + 2], h[2 * 80 + 3 * 10 + 7]);
        assertArrayEquals(x, run(Transforms.horizontalFlip(1), h, 2));
        float[] v = run(Transforms.verticalFlip(1), x, 1);
        assertEquals(x[7 * 10 + 4], v[4]);
        assertArrayEquals(x, run(Transforms.verticalFlip(1), v, 2));
        assertArrayEquals(x, run(Transforms.horizontalFlip(0), x, 3));
    }

    @Test
    void translationByZeroIsTheIdentityAndWholePixelsShiftExactly() {
        float[] x = image();
        assertArrayEquals(x, run(Transforms.translate(0, 0), x, 1));
        assertArrayEquals(x, run(Transforms.rotate(0), x, 1));
        assertArrayEquals(x, run(Transforms.randomTranslation(0), x, 1));
        float[] t = run(Transforms.translate(2, 1), x, 1);
        assertEquals(x[80 + 3 * 10 + 4], t[80 + 4 * 10 + 6], 1e-6);
        assertEquals(0, t[0]);
        // Rotating a square image by 90 degrees four times is the identity (up to rounding).
        int[] sq = {1, 6, 6};
        float[] s = new float[36];
        for (int i = 0; i < 36; i++) s[i] = i;
        float[] r = s.clone();
        for (int k = 0; k < 4; k++) r = Transforms.rotate(90).apply(r, sq, new Rng(0));
        for (int i = 0; i < 36; i++) assertEquals(s[i], r[i], 1e-4);
        float[] once = Transforms.rotate(90).apply(s.clone(), sq, new Rng(0));
        assertNotEquals(s[0], once[0]);
    }

    @Test
    void cropsKeepOrChangeTheShape() {
        float[] x = image();
        Transform crop = Transforms.randomCrop(2);
        assertArrayEquals(SHAPE, crop.outputShape(SHAPE));
        for (long seed = 0; seed < 20; seed++) {
            float[] y = run(crop, x, seed);
            assertEquals(x.length, y.length);
            // Every value is either padding (0) or a pixel of the same channel.
            for (int c = 0; c < 3; c++) {
                float[] channel = Arrays.copyOfRange(x, c * 80, c * 80 + 80);
                for (int k = 0; k < 80; k++) {
                    float v = y[c * 80 + k];
                    assertTrue(v == 0 || contains(channel, v), "value " + v);
                }
            }
        }
        Transform centre = Transforms.centerCrop(4, 6);
        assertArrayEquals(new int[] {3, 4, 6}, centre.outputShape(SHAPE));
        float[] c = run(centre, x, 0);
        assertEquals(72, c.length);
        assertEquals(x[2 * 10 + 2], c[0]);
        Transform resize = Transforms.resize(16, 20);
        float[] big = run(resize, x, 0);
        assertEquals(3 * 16 * 20, big.length);
        float[] back = Transforms.resize(8, 10).apply(big, new int[] {3, 16, 20}, new Rng(0));
        assertEquals(x.length, back.length);
        float[] same = Transforms.resize(8, 10).apply(x.clone(), SHAPE, new Rng(0));
        assertArrayEquals(x, same);
        Transform both = Transform.compose(Transforms.resize(16, 20), Transforms.centerCrop(8, 8));
        assertArrayEquals(new int[] {3, 8, 8}, both.outputShape(SHAPE));
        assertEquals(192, run(both, x, 0).length);
    }

    private static boolean contains(float[] a, float v) {
        for (float f : a) if (f == v) return true;
        return false;
    }

    @Test
    void everyTransformIsDeterministicUnderASeed() {
        float[] x = image();
        List<Transform> all = List.of(Transforms.randomCrop(3), Transforms.horizontalFlip(0.5), Transforms.verticalFlip(0.5),
                Transforms.randomTranslation(3), Transforms.randomRotation(20), Transforms.brightness(0.3),
                Transforms.contrast(0.4), Transforms.randomErasing(0.7), Transforms.randomErasingNoise(0.7), Transforms.parse("crop:4,flip,erase:0.5", null));
        for (Transform t : all) {
            List<float[]> outs = new ArrayList<>();
            for (long seed = 0; seed < 12; seed++) {
                float[] a = run(t, x, seed), b = run(t, x, seed);
                assertArrayEquals(a, b, t.toString());
                outs.add(a);
            }
            boolean varies = false;
            for (float[] o : outs) varies |= !Arrays.equals(o, outs.get(0));
            assertTrue(varies, t + " should vary with the seed");
        }
    }

    @Test
    void photometricRanges() {
        float[] x = image();
        for (long seed = 0; seed < 20; seed++) {
            float[] b = run(Transforms.brightness(0.25), x, seed);
            float d = b[0] - x[0];
            assertTrue(Math.abs(d) <= 0.25 + 1e-6);
            for (int i = 0; i < x.length; i++) assertEquals(x[i] + d, b[i], 1e-5);
            float[] c = run(Transforms.contrast(0.5), x, seed);
            double mx = mean(x), mc = mean(c);
            assertEquals(mx, mc, 1e-4);
            double k = (c[0] - mc) / (x[0] - mx);
            assertTrue(k >= 0.5 - 1e-4 && k <= 1.5 + 1e-4, "factor " + k);
        }
        float[] n = Transforms.normalize(new double[] {1, 2, 3}, new double[] {2, 2, 4}).apply(x.clone(), SHAPE, new Rng(0));
        assertEquals((x[80] - 2) / 2, n[80], 1e-6);
        float[] m = Transforms.subtractMean(1, 2, 3).apply(x.clone(), SHAPE, new Rng(0));
        assertEquals(x[170] - 3, m[170], 1e-6);
        float[] mi = Transforms.subtractMeanImage(x).apply(x.clone(), SHAPE, new Rng(0));
        for (float v : mi) assertEquals(0, v);
    }

    private static double mean(float[] a) {
        double s = 0;
        for (float v : a) s += v;
        return s / a.length;
    }

    @Test
    void randomErasingStaysWithinTheAreaAndAspectBounds() {
        int h = 32, w = 32;
        int[] shape = {3, h, w};
        int erased = 0;
        for (long seed = 0; seed < 300; seed++) {
            float[] x = new float[3 * h * w];
            Arrays.fill(x, 1);
            float[] y = Transforms.randomErasing(0.5).apply(x, shape, new Rng(seed));
            int minY = h, maxY = -1, minX = w, maxX = -1, zeros = 0;
            for (int yy = 0; yy < h; yy++) {
                for (int xx = 0; xx < w; xx++) {
                    if (y[yy * w + xx] == 0) {
                        zeros++;
                        minY = Math.min(minY, yy);
                        maxY = Math.max(maxY, yy);
                        minX = Math.min(minX, xx);
                        maxX = Math.max(maxX, xx);
                    }
                    // Every channel erased alike.
                    assertEquals(y[yy * w + xx], y[2 * h * w + yy * w + xx]);
                }
            }
            if (zeros == 0) continue;
            erased++;
            int eh = maxY - minY + 1, ew = maxX - minX + 1;
            assertEquals(eh * ew, zeros, "a solid rectangle");
            double area = (double) zeros / (h * w);
            // Rounding the sides to whole pixels moves the area and aspect a little beyond the nominal bounds.
            assertTrue(area >= 0.02 * 0.7 && area <= 0.33 * 1.2, "area " + area);
            double aspect = (double) eh / ew;
            assertTrue(aspect >= 0.3 * 0.7 && aspect <= 3.3 / 0.7, "aspect " + aspect);
        }
        assertTrue(erased > 100 && erased < 200, "erased " + erased + " of 300 with p = 0.5");
    }

    @Test
    void randomErasingWithNoiseFillsOneRectangleWithStandardNormalValues() {
        int h = 32, w = 32;
        int[] shape = {3, h, w};
        double sum = 0, sumSq = 0;
        long n = 0;
        for (long seed = 0; seed < 200; seed++) {
            float[] x = new float[3 * h * w];
            Arrays.fill(x, 7);
            float[] y = Transforms.randomErasingNoise(1).apply(x, shape, new Rng(seed));
            int minY = h, maxY = -1, minX = w, maxX = -1, changed = 0;
            for (int c = 0; c < 3; c++) {
                for (int yy = 0; yy < h; yy++) {
                    for (int xx = 0; xx < w; xx++) {
                        float v = y[(c * h + yy) * w + xx];
                        if (v == 7) continue;
                        changed++;
                        sum += v;
                        sumSq += v * v;
                        n++;
                        minY = Math.min(minY, yy);
                        maxY = Math.max(maxY, yy);
                        minX = Math.min(minX, xx);
                        maxX = Math.max(maxX, xx);
                    }
                }
            }
            if (changed == 0) continue;
            // The same rectangle in all three channels, every value in it replaced.
            assertEquals(3 * (maxY - minY + 1) * (maxX - minX + 1), changed, "seed " + seed);
        }
        double mean = sum / n, var = sumSq / n - mean * mean;
        assertTrue(n > 10_000, "erased values " + n);
        assertEquals(0, mean, 0.05);
        assertEquals(1, var, 0.05);
        assertTrue(Transforms.parse("erase-noise:0.3", null).toString().contains("randomErasingNoise(0.3)"));
    }

    @Test
    void pcaColourMovesEveryPixelByTheSameRgbVectorAlongTheEigenDirections() {
        // A dataset whose colours vary mostly along (1, 1, 0) / sqrt(2).
        FakeRgb data = new FakeRgb(50);
        ColorPca pca = ColorPca.fit(data, 50);
        double[] ev = pca.eigenvalues();
        double[][] e = pca.eigenvectors();
        assertTrue(ev[0] > 10 * ev[1], Arrays.toString(ev));
        assertEquals(1 / Math.sqrt(2), Math.abs(e[0][0]), 1e-3);
        assertEquals(1 / Math.sqrt(2), Math.abs(e[0][1]), 1e-3);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
            double dot = 0;
            for (int c = 0; c < 3; c++) dot += e[i][c] * e[j][c];
            assertEquals(i == j ? 1 : 0, dot, 1e-9);
        }
        Transform t = pca.transform(0.1);
        float[] x = new float[3 * 4 * 4];
        data.sample(7, x, 0);
        for (long seed = 0; seed < 10; seed++) {
            float[] y = t.apply(x.clone(), new int[] {3, 4, 4}, new Rng(seed));
            double[] d = new double[3];
            for (int c = 0; c < 3; c++) {
                d[c] = y[c * 16] - x[c * 16];
                for (int k = 0; k < 16; k++) assertEquals(d[c], y[c * 16 + k] - x[c * 16 + k], 1e-5, "same shift everywhere");
            }
            // The shift's coordinates in the eigenbasis are alpha_i lambda_i, with the alphas the generator draws.
            Rng r = new Rng(seed);
            for (int i = 0; i < 3; i++) {
                double alpha = 0.1 * r.nextGaussian();
                double coord = 0;
                for (int c = 0; c < 3; c++) coord += d[c] * e[i][c];
                assertEquals(alpha * ev[i], coord, 1e-5);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ColorPca.fit(new FakeDataset(3, 1, 2, 2, 2), 3));
    }

    /** RGB images, 4x4, whose colour is t * (1, 1, 0) + small noise, t varying per image. */
    static final class FakeRgb extends FakeDataset {
        FakeRgb(int n) {
            super(n, 3, 4, 4, 2);
        }

        @Override
        public void sample(int index, float[] dst, int offset) {
            Rng r = new Rng(index);
            for (int k = 0; k < 16; k++) {
                double t = r.nextGaussian();
                dst[offset + k] = (float) (t + 0.01 * r.nextGaussian());
                dst[offset + 16 + k] = (float) (t + 0.01 * r.nextGaussian());
                dst[offset + 32 + k] = (float) (0.05 * r.nextGaussian());
            }
        }
    }

    @Test
    void jacobiDecomposesASymmetricMatrix() {
        int n = 12;
        Rng r = new Rng(3);
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) m[i][j] = m[j][i] = r.nextGaussian();
        SymmetricEigen e = SymmetricEigen.of(m);
        for (int i = 0; i < n; i++) {
            if (i > 0) assertTrue(e.values[i] <= e.values[i - 1]);
            for (int a = 0; a < n; a++) {
                double mv = 0;
                for (int b = 0; b < n; b++) mv += m[a][b] * e.vectors[i][b];
                assertEquals(e.values[i] * e.vectors[i][a], mv, 1e-9);
            }
        }
    }

    @Test
    void whiteningGivesIdentityCovariance() {
        FakeRgb data = new FakeRgb(400);
        Whitening zca = Whitening.fitZca(data, 400, 0), pca = Whitening.fitPca(data, 400, 0);
        for (Whitening w : List.of(zca, pca)) {
            int d = 48, n = 400;
            double[][] cov = new double[d][d];
            double[] mu = new double[d];
            List<float[]> ys = new ArrayList<>();
            float[] x = new float[d];
            for (int i = 0; i < n; i++) {
                data.sample(i, x, 0);
                float[] y = w.transform().apply(x.clone(), new int[] {3, 4, 4}, new Rng(0));
                ys.add(y);
                for (int k = 0; k < d; k++) mu[k] += y[k] / n;
            }
            for (float[] y : ys) for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) cov[a][b] += (y[a] - mu[a]) * (y[b] - mu[b]) / (n - 1);
            for (int a = 0; a < d; a++) {
                assertEquals(0, mu[a], 1e-3);
                for (int b = 0; b < d; b++) assertEquals(a == b ? 1 : 0, cov[a][b], 2e-2, (w.isZca() ? "zca" : "pca") + " " + a + "," + b);
            }
        }
        // ZCA is symmetric: it stays close to the image. Whitening a sample of a smooth image keeps most of its sign pattern.
        assertThrows(IllegalArgumentException.class, () -> Whitening.fitZca(new FakeDataset(3, 1, 1, 1, 2) {
            @Override
            public int[] sampleShape() {
                return new int[] {5, 30, 30};
            }
        }, 3, 0));
        assertFalse(pca.isZca());
    }

    @Test
    void parseReportsMistakes() {
        assertEquals(SHAPE.length, Transforms.parse("crop:4, flip ,vflip:0.2,translate:2,rotate:10,brightness:0.1,contrast:0.2,erase", null).outputShape(SHAPE).length);
        for (String bad : List.of("crop:x", "flip:2", "rotate", "spin:3", "crop,,flip", "pca-colour")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transforms.parse(bad, null), bad);
            assertFalse(e.getMessage().isBlank());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Transforms.parse("spin:3", null)).getMessage().contains("unknown augmentation 'spin'"));
    }
}
