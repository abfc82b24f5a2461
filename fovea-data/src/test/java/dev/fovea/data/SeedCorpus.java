package dev.fovea.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes the seed corpus of {@link DataFuzzTest}: a few small files per target, valid ones and typical breakages,
 * into {@code src/test/resources/dev/fovea/data/DataFuzzTestInputs/}. Run from the module folder:
 * {@code java -cp target/test-classes:target/classes dev.fovea.data.SeedCorpus}. Crashing inputs a fuzzing campaign
 * finds are added to the same folders by hand (named {@code crash-...}) and kept.
 */
public final class SeedCorpus {
    private SeedCorpus() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources/dev/fovea/data/DataFuzzTestInputs");
        byte[] valid = IdxBytes.ubyte(new int[] {2, 3, 4}, IdxBytes.images(2, 3, 4));
        byte[] labels = IdxBytes.ubyte(new int[] {5}, new byte[] {0, 1, 2, 3, 9});
        write(root, "idx", "valid-3d", valid);
        write(root, "idx", "valid-labels", labels);
        write(root, "idx", "truncated", Arrays.copyOf(valid, valid.length - 5));
        write(root, "idx", "trailing", Arrays.copyOf(valid, valid.length + 3));
        write(root, "idx", "huge-dims", IdxBytes.idx(0x0803, new int[] {0x7fffffff, 0x10000, 0x10000}, new byte[8]));
        write(root, "idx", "float-type", IdxBytes.idx(0x0D01, new int[] {2}, new byte[8]));
        write(root, "idx", "gzip-valid", IdxBytes.gzip(valid));
        write(root, "idx", "gzip-truncated", Arrays.copyOf(IdxBytes.gzip(valid), 20));
        write(root, "idx", "gzip-huge-claim", IdxBytes.gzip(IdxBytes.idx(0x0801, new int[] {0x7ffffff0}, new byte[64])));
        write(root, "idxGzip", "valid-3d", valid);
        write(root, "idxGzip", "valid-labels", labels);
        write(root, "idxGzip", "huge-claim", IdxBytes.idx(0x0802, new int[] {0x40000000, 2}, new byte[100]));
        write(root, "idxGzip", "short-header", Arrays.copyOf(valid, 9));

        byte[] record10 = new byte[1 + Cifar.PIXELS], record100 = new byte[2 + Cifar.PIXELS];
        record10[0] = 3;
        record100[0] = 7;
        record100[1] = 42;
        for (int i = 0; i < Cifar.PIXELS; i++) record10[1 + i] = record100[2 + i] = (byte) (i * 13);
        write(root, "cifar", "cifar10-one-record", concat(new byte[] {0}, record10));
        write(root, "cifar", "cifar100-one-record", concat(new byte[] {1}, record100));
        byte[] names = String.join("\n", Cifar.CLASS_NAMES_10).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        write(root, "cifar", "cifar10-with-names", concat(new byte[] {2, (byte) names.length}, names, record10));
        byte[] badLabel = record10.clone();
        badLabel[0] = 10;
        write(root, "cifar", "cifar10-bad-label", concat(new byte[] {0}, badLabel));
        write(root, "cifar", "cifar10-partial-record", concat(new byte[] {0}, Arrays.copyOf(record10, 100)));

        write(root, "imageFolder", "rgb.png", image("png", BufferedImage.TYPE_INT_RGB, 5, 4));
        write(root, "imageFolder", "grey.png", image("png", BufferedImage.TYPE_BYTE_GRAY, 3, 3));
        write(root, "imageFolder", "one-bit.png", image("png", BufferedImage.TYPE_BYTE_BINARY, 16, 2));
        write(root, "imageFolder", "rgb.jpg", image("jpeg", BufferedImage.TYPE_INT_RGB, 9, 7));
        write(root, "imageFolder", "grey.jpg", image("jpeg", BufferedImage.TYPE_BYTE_GRAY, 8, 8));
        write(root, "imageFolder", "gif-refused.gif", image("gif", BufferedImage.TYPE_BYTE_INDEXED, 4, 4));
        byte[] png = image("png", BufferedImage.TYPE_INT_RGB, 5, 4);
        write(root, "imageFolder", "truncated.png", Arrays.copyOf(png, png.length / 2));
        byte[] huge = png.clone(); // IHDR width and height at bytes 16..23 (the reader does not check the CRC)
        ByteBuffer.wrap(huge).putInt(16, 100_000).putInt(20, 100_000);
        write(root, "imageFolder", "claims-100000x100000.png", huge);
        byte[] big = png.clone();
        ByteBuffer.wrap(big).putInt(16, 8000).putInt(20, 8000);
        write(root, "imageFolder", "claims-8000x8000.png", big);
    }

    private static byte[] image(String format, int type, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (x * 50) << 16 | (y * 60) << 8 | (x + y) * 20);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) throw new IOException("no writer for " + format);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private static void write(Path root, String target, String name, byte[] bytes) throws IOException {
        Files.createDirectories(root.resolve(target));
        Files.write(root.resolve(target).resolve(name), bytes);
    }
}
