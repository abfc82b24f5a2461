package dev.fovea.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.fovea.data.IdxBytes.gzip;
import static dev.fovea.data.IdxBytes.ubyte;
import static dev.fovea.data.IdxBytes.write;
import static dev.fovea.data.IdxFileTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ImageClassificationTest {
    private static final List<String> TEN = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");

    @TempDir
    Path dir;

    private Path images(String name, int count, int rows, int cols) {
        return write(dir, name, ubyte(new int[] {count, rows, cols}, IdxBytes.images(count, rows, cols)));
    }

    private Path labels(String name, byte[] labels) {
        return write(dir, name, gzip(ubyte(new int[] {labels.length}, labels)));
    }

    @Test
    void shapesLabelsAndNames() {
        ImageClassification ds = ImageClassification.read("tiny", images("img", 12, 3, 5),
                labels("lab", IdxBytes.labels(12, 10)), TEN);
        assertEquals(12, ds.size());
        assertArrayEquals(new int[] {1, 3, 5}, ds.sampleShape());
        assertEquals(15, ds.sampleSize());
        assertEquals(10, ds.numClasses());
        assertEquals(TEN, ds.classNames());
        assertEquals("tiny", ds.name());
        for (int i = 0; i < 12; i++) assertEquals(i % 10, ds.label(i));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.label(12));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.sample(-1, new float[15], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.sample(0, new float[15], 1));
    }

    @Test
    void pixelsAreScaledThenNormalised() {
        // One 1x3 image holding 0, 51 and 255, written by hand so the expected values are plain arithmetic.
        Path img = write(dir, "img", ubyte(new int[] {1, 1, 3}, new byte[] {0, 51, (byte) 255}));
        Path lab = labels("lab", new byte[] {7});

        ImageClassification plain = ImageClassification.read("plain", img, lab, TEN);
        float[] dst = new float[5];
        plain.sample(0, dst, 1);
        assertArrayEquals(new float[] {0, 0f, 0.2f, 1f, 0}, dst, 1e-7f);

        ImageClassification fashion = ImageClassification.read("fashion", img, lab, TEN, 0.2860, 0.3530);
        fashion.sample(0, dst, 0);
        assertEquals(-0.2860 / 0.3530, dst[0], 1e-6);
        assertEquals((0.2 - 0.2860) / 0.3530, dst[1], 1e-6);
        assertEquals((1 - 0.2860) / 0.3530, dst[2], 1e-6);
        assertEquals(2.0226629, dst[2], 1e-6);

        ImageClassification back = fashion.withNormalisation(0, 1);
        back.sample(0, dst, 0);
        assertArrayEquals(new float[] {0f, 0.2f, 1f}, java.util.Arrays.copyOf(dst, 3), 1e-7f);
        assertEquals(0.2860, fashion.mean());
        assertEquals(0.3530, fashion.std());

        assertThrows(IllegalArgumentException.class, () -> fashion.withNormalisation(0, 0));
        assertThrows(IllegalArgumentException.class, () -> fashion.withNormalisation(Double.NaN, 1));
    }

    @Test
    void everyPixelOfEveryImageLandsWhereExpected() {
        int count = 4, rows = 3, cols = 2;
        ImageClassification ds = ImageClassification.read("t", images("img", count, rows, cols),
                labels("lab", IdxBytes.labels(count, 10)), TEN);
        float[] dst = new float[rows * cols];
        for (int i = 0; i < count; i++) {
            ds.sample(i, dst, 0);
            for (int p = 0; p < rows * cols; p++) {
                assertEquals(IdxBytes.pixel(i, p) / 255f, dst[p], 1e-7f, "image " + i + " pixel " + p);
            }
        }
    }

    @Test
    void imageAndLabelCountsMustAgree() {
        Path img = images("some-images", 5, 2, 2);
        Path lab = labels("some-labels", IdxBytes.labels(4, 10));
        DataException e = assertThrows(DataException.class, () -> ImageClassification.read("t", img, lab, TEN));
        assertMessage(e, img, "some-labels", "5 images", "4 labels");
    }

    @Test
    void labelsMustBeClassIndices() {
        Path img = images("img", 5, 2, 2);
        Path lab = labels("bad-labels", new byte[] {0, 9, 3, 10, 1});
        DataException e = assertThrows(DataException.class, () -> ImageClassification.read("t", img, lab, TEN));
        assertMessage(e, lab, "label 10 at index 3", "outside 0..9");

        Path high = labels("high-labels", new byte[] {0, (byte) 200, 0, 0, 0});
        e = assertThrows(DataException.class, () -> ImageClassification.read("t", img, high, TEN));
        assertMessage(e, high, "label 200 at index 1"); // unsigned, not -56
    }

    @Test
    void filesSwappedAreCaughtByTheirDimensionCount() {
        Path img = images("img", 5, 2, 2);
        Path lab = labels("lab", IdxBytes.labels(5, 10));
        DataException e = assertThrows(DataException.class, () -> ImageClassification.read("t", lab, img, TEN));
        assertMessage(e, lab, "expected 0x00000803 (unsigned bytes, 3 dimensions)", "found 1 dimension");
    }

    @Test
    void limitKeepsTheFirstSamples() {
        ImageClassification ds = ImageClassification.read("t", images("img", 10, 2, 2),
                labels("lab", IdxBytes.labels(10, 10)), TEN);
        Dataset first = ds.limit(4);
        assertEquals(4, first.size());
        assertEquals("t (first 4)", first.name());
        assertArrayEquals(ds.sampleShape(), first.sampleShape());
        assertEquals(ds.classNames(), first.classNames());
        float[] a = new float[4];
        float[] b = new float[4];
        for (int i = 0; i < 4; i++) {
            ds.sample(i, a, 0);
            first.sample(i, b, 0);
            assertArrayEquals(a, b);
            assertEquals(ds.label(i), first.label(i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> first.label(4));
        assertThrows(IndexOutOfBoundsException.class, () -> first.sample(4, a, 0));

        assertEquals(2, first.limit(2).size());
        assertEquals("t (first 2)", first.limit(2).name());
        assertSame(ds, ds.limit(10));
        assertThrows(IllegalArgumentException.class, () -> ds.limit(0));
        assertThrows(IllegalArgumentException.class, () -> ds.limit(11));
        assertThrows(IllegalArgumentException.class, () -> first.limit(5));
    }
}
