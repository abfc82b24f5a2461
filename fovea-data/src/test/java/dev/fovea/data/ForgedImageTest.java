package dev.fovea.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image headers that lie about their size, and formats other than PNG and JPEG, are refused before decoding. */
class ForgedImageTest {
    @TempDir
    Path dir;

    /** A valid w x h PNG whose IHDR then claims another size (ImageIO's reader does not check the chunk's CRC). */
    private Path forged(int w, int h, int claimedW, int claimedH) throws IOException {
        Path file = dir.resolve("forged.png");
        ImageFolderTest.image(file, w, h, 0x336699, "png");
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).putInt(16, claimedW).putInt(20, claimedH);
        return Files.write(file, b);
    }

    @Test
    void aPngClaiming100000x100000PixelsIsRefusedFromItsHeader() throws IOException {
        Path f = forged(5, 4, 100_000, 100_000);
        DataException e = assertThrows(DataException.class, () -> ImageFile.read(f, 3, 8, 8));
        assertTrue(e.getMessage().contains("forged.png: image of 100000x100000 pixels; sides must be between 1 and 8192"), e.getMessage());
    }

    @Test
    void aSmallFileCannotClaimMorePixelsThanItsBytesCanHold() throws IOException {
        Path f = forged(5, 4, 8000, 8000);
        long bytes = Files.size(f);
        DataException e = assertThrows(DataException.class, () -> ImageFile.read(f, 3, 8, 8));
        assertTrue(e.getMessage().contains("header claims 8000x8000 pixels, more than the file's " + bytes + " bytes can hold"), e.getMessage());
        // A genuinely large but highly compressible image is still read: 2000x2000 of one colour is a few KB.
        Path big = dir.resolve("big.png");
        ImageFolderTest.image(big, 2000, 2000, 0x102030, "png");
        assertTrue(Files.size(big) * ImageFile.MAX_PIXELS_PER_BYTE >= 2000L * 2000, "deflate's limit holds for the real file");
        assertEquals(3 * 8 * 8, ImageFile.read(big, 3, 8, 8).length);
    }

    @Test
    void otherFormatsThanPngAndJpegAreRefused() throws IOException {
        for (String format : new String[] {"gif", "bmp"}) {
            Path f = dir.resolve("x." + format);
            ImageFolderTest.image(f, 4, 4, 0xff0000, format);
            Path renamed = Files.move(f, dir.resolve(format + "-named.png"));
            DataException e = assertThrows(DataException.class, () -> ImageFile.read(renamed, 3, 4, 4));
            assertTrue(e.getMessage().endsWith(format + "-named.png: not a PNG or JPEG image"), e.getMessage());
        }
        Path jpg = dir.resolve("ok.jpg");
        ImageFolderTest.image(jpg, 4, 4, 0xff0000, "jpeg");
        float[] px = ImageFile.read(jpg, 3, 4, 4);
        assertTrue(px[0] > 0.9 && px[16] < 0.1, Arrays.toString(px));
    }
}
