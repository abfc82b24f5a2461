package dev.fovea.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 and CIFAR-100 in their binary versions: 32x32 RGB images, 50000 for training and 10000 for testing.
 *
 * <p><b>CIFAR-10</b> ({@code cifar-10-binary.tar.gz}) holds {@code data_batch_1.bin} .. {@code data_batch_5.bin}
 * and {@code test_batch.bin}, each a run of 3073-byte records: one label byte (0..9) and 3072 pixel bytes, the red
 * plane, then green, then blue, each 32 rows of 32. {@code batches.meta.txt} names the classes, one per line.
 *
 * <p><b>CIFAR-100</b> ({@code cifar-100-binary.tar.gz}) holds {@code train.bin} and {@code test.bin} of 3074-byte
 * records: the coarse label (0..19), the fine label (0..99), then the 3072 pixel bytes; {@code fine_label_names.txt}
 * and {@code coarse_label_names.txt} name the classes. The fine labels are used unless asked otherwise.
 *
 * <p>The folder passed in may be the one holding the files or its parent, where the archives unpack into
 * {@code cifar-10-batches-bin} and {@code cifar-100-binary}. Every file is checked: its length must be a whole,
 * non-zero number of records and every label must be in range; otherwise a {@link DataException} names the file
 * and what is wrong. Samples are normalised per channel with the training set's usual constants ({@link #MEAN_10},
 * {@link #STD_10}, {@link #MEAN_100}, {@link #STD_100}); {@link ByteImageDataset#raw()} gives [0, 1] pixels.
 */
public final class Cifar {
    /** Per-channel (R, G, B) mean of the CIFAR-10 training pixels, scaled to [0, 1]. */
    public static final double[] MEAN_10 = {0.4914, 0.4822, 0.4465};
    /** Per-channel standard deviation of the CIFAR-10 training pixels, scaled to [0, 1]. */
    public static final double[] STD_10 = {0.2470, 0.2435, 0.2616};
    /** Per-channel mean of the CIFAR-100 training pixels, scaled to [0, 1]. */
    public static final double[] MEAN_100 = {0.5071, 0.4865, 0.4409};
    /** Per-channel standard deviation of the CIFAR-100 training pixels, scaled to [0, 1]. */
    public static final double[] STD_100 = {0.2673, 0.2564, 0.2762};

    /** CIFAR-10's class names, used when {@code batches.meta.txt} is absent. */
    public static final List<String> CLASS_NAMES_10 = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    static final int SIDE = 32, PIXELS = 3 * SIDE * SIDE;

    static final String HOW_TO_GET_10 = "download and unpack https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz "
            + "and pass the folder cifar-10-batches-bin (or its parent)";
    static final String HOW_TO_GET_100 = "download and unpack https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz "
            + "and pass the folder cifar-100-binary (or its parent)";

    private Cifar() {
    }

    /** The 50000 CIFAR-10 training images of {@code data_batch_1.bin} .. {@code data_batch_5.bin}. */
    public static ByteImageDataset train10(Path dir) {
        Path d = resolve(dir, "cifar-10-batches-bin", "data_batch_1.bin", "CIFAR-10 train", HOW_TO_GET_10);
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= 5; i++) files.add(d.resolve("data_batch_" + i + ".bin"));
        return read10("CIFAR-10 train", d, files);
    }

    /** The 10000 CIFAR-10 test images of {@code test_batch.bin}. */
    public static ByteImageDataset test10(Path dir) {
        Path d = resolve(dir, "cifar-10-batches-bin", "test_batch.bin", "CIFAR-10 test", HOW_TO_GET_10);
        return read10("CIFAR-10 test", d, List.of(d.resolve("test_batch.bin")));
    }

    /** The 50000 CIFAR-100 training images with their fine (100-class) labels. */
    public static ByteImageDataset train100(Path dir) {
        return train100(dir, false);
    }

    /** The 10000 CIFAR-100 test images with their fine (100-class) labels. */
    public static ByteImageDataset test100(Path dir) {
        return test100(dir, false);
    }

    /** The CIFAR-100 training images, labelled with the 20 coarse classes when {@code coarse}, else the 100 fine ones. */
    public static ByteImageDataset train100(Path dir, boolean coarse) {
        Path d = resolve(dir, "cifar-100-binary", "train.bin", "CIFAR-100 train", HOW_TO_GET_100);
        return read100("CIFAR-100 train", d, d.resolve("train.bin"), coarse);
    }

    /** The CIFAR-100 test images, labelled with the 20 coarse classes when {@code coarse}, else the 100 fine ones. */
    public static ByteImageDataset test100(Path dir, boolean coarse) {
        Path d = resolve(dir, "cifar-100-binary", "test.bin", "CIFAR-100 test", HOW_TO_GET_100);
        return read100("CIFAR-100 test", d, d.resolve("test.bin"), coarse);
    }

    // ---------------------------------------------------------------- reading

    private static Path resolve(Path dir, String sub, String probe, String name, String howToGet) {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir + ": " + (Files.exists(dir) ? "not a directory" : "directory not found")
                    + " (needed for " + name + "); " + howToGet);
        }
        if (!Files.exists(dir.resolve(probe)) && Files.isRegularFile(dir.resolve(sub).resolve(probe))) return dir.resolve(sub);
        return dir;
    }

    private static ByteImageDataset read10(String name, Path dir, List<Path> files) {
        List<String> classes = names(dir.resolve("batches.meta.txt"), 10, CLASS_NAMES_10);
        List<byte[]> contents = new ArrayList<>();
        int total = 0;
        for (Path f : files) {
            byte[] b = readRecords(f, 1 + PIXELS, name, HOW_TO_GET_10);
            contents.add(b);
            total += b.length / (1 + PIXELS);
        }
        byte[] pixels = new byte[total * PIXELS];
        int[] labels = new int[total];
        int at = 0;
        for (int fi = 0; fi < files.size(); fi++) {
            byte[] b = contents.get(fi);
            int n = b.length / (1 + PIXELS);
            for (int i = 0; i < n; i++) {
                int label = b[i * (1 + PIXELS)] & 0xFF;
                if (label >= 10) {
                    throw new DataException(files.get(fi) + ": label " + label + " of record " + i
                            + " is outside 0..9 (is this a CIFAR-10 binary batch?)");
                }
                labels[at] = label;
                System.arraycopy(b, i * (1 + PIXELS) + 1, pixels, at * PIXELS, PIXELS);
                at++;
            }
        }
        return new ByteImageDataset(name, 3, SIDE, SIDE, pixels, labels, classes, MEAN_10, STD_10);
    }

    private static ByteImageDataset read100(String name, Path dir, Path file, boolean coarse) {
        List<String> classes = coarse
                ? names(dir.resolve("coarse_label_names.txt"), 20, numbered(20))
                : names(dir.resolve("fine_label_names.txt"), 100, numbered(100));
        byte[] b = readRecords(file, 2 + PIXELS, name, HOW_TO_GET_100);
        int n = b.length / (2 + PIXELS);
        byte[] pixels = new byte[n * PIXELS];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = b[i * (2 + PIXELS)] & 0xFF, f = b[i * (2 + PIXELS) + 1] & 0xFF;
            if (c >= 20) throw new DataException(file + ": coarse label " + c + " of record " + i + " is outside 0..19 (is this a CIFAR-100 binary file?)");
            if (f >= 100) throw new DataException(file + ": fine label " + f + " of record " + i + " is outside 0..99 (is this a CIFAR-100 binary file?)");
            labels[i] = coarse ? c : f;
            System.arraycopy(b, i * (2 + PIXELS) + 2, pixels, i * PIXELS, PIXELS);
        }
        return new ByteImageDataset(coarse ? name + " (coarse)" : name, 3, SIDE, SIDE, pixels, labels, classes,
                MEAN_100, STD_100);
    }

    private static byte[] readRecords(Path file, int recordSize, String name, String howToGet) {
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": file not found (needed for " + name + "); " + howToGet);
        }
        byte[] b;
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 16) throw new DataException(file + ": " + size + " bytes is too large for one CIFAR file");
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (b.length == 0 || b.length % recordSize != 0) {
            throw new DataException(file + ": length " + b.length + " is not a whole, non-zero number of " + recordSize
                    + "-byte records (" + (recordSize - PIXELS) + " label byte(s) + " + PIXELS
                    + " pixels); the file is truncated or not a " + (recordSize == 1 + PIXELS ? "CIFAR-10" : "CIFAR-100")
                    + " binary file");
        }
        return b;
    }

    /** The class names in {@code file}, one per non-blank line, or {@code fallback} if there is no such file. */
    private static List<String> names(Path file, int expected, List<String> fallback) {
        if (!Files.isRegularFile(file)) return fallback;
        List<String> names = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) if (!line.isBlank()) names.add(line.strip());
        } catch (IOException e) {
            throw new DataException(file + ": cannot read the class names: " + e.getMessage(), e);
        }
        if (names.size() != expected) {
            throw new DataException(file + ": " + names.size() + " class names, expected " + expected);
        }
        return List.copyOf(names);
    }

    private static List<String> numbered(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(Integer.toString(i));
        return List.copyOf(l);
    }
}
