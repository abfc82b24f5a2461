package dev.fovea.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderTest {
    @TempDir
    Path dir;

    /** Writes a w x h image of one colour. */
    static void image(Path file, int w, int h, int rgb, String format) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
        if (!ImageIO.write(img, format, file.toFile())) throw new IOException("no writer for " + format);
    }

    /** A folder of {@code perClass} images for each of three classes, named so that sorting matters. */
    static void writeFolder(Path root, int perClass) throws IOException {
        for (int i = 0; i < perClass; i++) {
            image(root.resolve("zebra").resolve("z" + i + ".png"), 20, 10, 0x0000FF, "png");
            image(root.resolve("ant").resolve("a" + i + ".png"), 8, 8, 0xFF0000, "png");
            image(root.resolve("cat").resolve("c" + i + ".jpg"), 12, 16, 0x00FF00, "jpg");
        }
    }

    @Test
    void classesAreSortedFolderNamesAndImagesAreResized() throws IOException {
        writeFolder(dir, 2);
        Files.writeString(dir.resolve("ant").resolve("notes.txt"), "not an image, skipped");
        Files.createDirectories(dir.resolve(".hidden"));
        ByteImageDataset d = ImageFolder.read("pets", dir, 3, 6, 5);
        assertEquals(List.of("ant", "cat", "zebra"), d.classNames());
        assertEquals(6, d.size());
        assertArrayEquals(new int[] {3, 6, 5}, d.sampleShape());
        assertEquals(0, d.label(0));
        assertEquals(1, d.label(2));
        assertEquals(2, d.label(5));
        float[] x = new float[90];
        d.sample(0, x, 0);
        assertEquals(1, x[0], 1e-6);
        assertEquals(0, x[30], 1e-6);
        d.sample(5, x, 0);
        assertEquals(1, x[89], 1e-6);
        d.sample(2, x, 0); // a JPEG: green, up to compression
        assertEquals(1, x[30 + 7], 0.05);
        // Grey: luminance.
        ByteImageDataset g = ImageFolder.read("pets", dir, 1, 4, 4);
        float[] y = new float[16];
        g.sample(0, y, 0);
        assertEquals(0.299, y[3], 0.01);
        // Per-channel statistics for normalisation.
        double[][] st = d.channelStatistics(100);
        assertEquals(2 / 6.0, st[0][0], 0.02);
    }

    @Test
    void badImagesAreReportedWithTheirPath() throws IOException {
        writeFolder(dir, 1);
        Path bad = dir.resolve("cat").resolve("broken.png");
        Files.writeString(bad, "this is not a PNG");
        DataException e = assertThrows(DataException.class, () -> ImageFolder.read("pets", dir, 3, 8, 8));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        Files.delete(bad);
        // Above the pixel limit, by the header.
        image(dir.resolve("cat").resolve("big.png"), 100, 50, 0, "png");
        e = assertThrows(DataException.class, () -> ImageFolder.read("pets", dir, 3, 8, 8, 4999));
        assertTrue(e.getMessage().contains("big.png") && e.getMessage().contains("above the limit of 4999 pixels"), e.getMessage());
        assertEquals(4, ImageFolder.read("pets", dir, 3, 8, 8, 5000).size());
    }

    @Test
    void emptyOrMissingFoldersAreRefused() throws IOException {
        DataException e = assertThrows(DataException.class, () -> ImageFolder.read("x", dir.resolve("none"), 3, 8, 8));
        assertTrue(e.getMessage().contains("none: directory not found"), e.getMessage());
        e = assertThrows(DataException.class, () -> ImageFolder.read("x", dir, 3, 8, 8));
        assertTrue(e.getMessage().contains("no class sub-folders"), e.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        e = assertThrows(DataException.class, () -> ImageFolder.read("x", dir, 3, 8, 8));
        assertTrue(e.getMessage().contains("empty: class folder without PNG or JPEG images"), e.getMessage());
    }
}
