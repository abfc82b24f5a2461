package dev.fovea.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The folder layout MNIST introduced and Fashion-MNIST copied: four IDX files named
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and
 * {@code t10k-labels-idx1-ubyte}, each either raw or with {@code .gz} (mirrors ship one, unpacked copies the other).
 */
final class MnistLayout {
    private MnistLayout() {
    }

    /**
     * Loads one split from {@code dir}.
     *
     * @param prefix   "train" or "t10k", the file-name prefix of the split
     * @param howToGet the end of the message when something is missing, telling the user how to get the data
     */
    static ImageClassification load(String name, Path dir, String prefix, List<String> classNames, double mean,
                                    double std, String howToGet) {
        if (!Files.exists(dir)) {
            throw new DataException(dir + ": directory not found (needed for " + name + "); " + howToGet);
        }
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir + ": not a directory (needed for " + name + "); " + howToGet);
        }
        Path images = find(dir, prefix + "-images-idx3-ubyte", name, howToGet);
        Path labels = find(dir, prefix + "-labels-idx1-ubyte", name, howToGet);
        return ImageClassification.read(name, images, labels, classNames, mean, std);
    }

    /** {@code dir/baseName} if it exists, else {@code dir/baseName.gz}; the raw file wins because it reads faster. */
    static Path find(Path dir, String baseName, String name, String howToGet) {
        Path raw = dir.resolve(baseName);
        if (Files.isRegularFile(raw)) return raw;
        Path gz = dir.resolve(baseName + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        throw new DataException(raw + "[.gz]: file not found (neither " + baseName + " nor " + baseName
                + ".gz is in " + dir + ", needed for " + name + "); " + howToGet);
    }

    /** The folder named by environment variable {@code envVar} if it is set and not blank, else {@code fallback}. */
    static Path dirFromEnv(String envVar, Path fallback) {
        String value = System.getenv(envVar);
        return value == null || value.isBlank() ? fallback : Path.of(value);
    }
}
