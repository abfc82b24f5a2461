package dev.fovea.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Grey-scale images with one class label each, held in memory as the unsigned bytes they were stored in: one IDX
 * file of {@code count x rows x columns} pixels and one of {@code count} labels, as MNIST-style datasets ship.
 *
 * <p>Keeping bytes rather than floats takes a quarter of the memory; each pixel becomes a float only when a sample
 * is written, as {@code (x / 255 - mean) / std}. Normalising to roughly zero mean and unit variance is what lets
 * standard weight initialisations and learning rates work, so the dataset factories pass the dataset's own mean and
 * standard deviation; {@code mean = 0, std = 1} keeps pixels in [0, 1].
 *
 * <p>Immutable, and so safe to share between threads and loaders.
 */
public final class ImageClassification implements Dataset {
    private final String name;
    private final int count;
    private final int rows;
    private final int cols;
    private final byte[] pixels;
    private final byte[] labels;
    private final List<String> classNames;
    private final double mean;
    private final double std;
    /** The normalised value of each of the 256 possible pixel bytes, so a sample is one table look-up per pixel. */
    private final float[] valueOfByte;

    private ImageClassification(String name, int count, int rows, int cols, byte[] pixels, byte[] labels,
                                List<String> classNames, double mean, double std) {
        if (!Double.isFinite(mean) || !Double.isFinite(std) || !(std > 0)) {
            throw new IllegalArgumentException("normalisation needs a finite mean and a positive std, not mean "
                    + mean + ", std " + std);
        }
        this.name = name;
        this.count = count;
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
        this.labels = labels;
        this.classNames = classNames;
        this.mean = mean;
        this.std = std;
        this.valueOfByte = new float[256];
        for (int b = 0; b < 256; b++) {
            valueOfByte[b] = (float) ((b / 255.0 - mean) / std);
        }
    }

    /**
     * Reads images and labels from two IDX files and checks that they belong together: as many labels as images,
     * and every label a valid class index.
     *
     * @param name        a short name for logs, such as "Fashion-MNIST test"
     * @param imageFile   IDX file of unsigned bytes, {@code count x rows x columns}, raw or gzip
     * @param labelFile   IDX file of unsigned bytes, {@code count}, raw or gzip
     * @param classNames  one name per class; their number is the number of classes
     * @param mean        subtracted from each pixel after scaling to [0, 1]
     * @param std         what the difference is divided by
     * @throws DataException if a file is missing or malformed, or the two do not agree
     */
    public static ImageClassification read(String name, Path imageFile, Path labelFile, List<String> classNames,
                                           double mean, double std) {
        Objects.requireNonNull(name, "name");
        List<String> classes = List.copyOf(classNames);
        if (classes.isEmpty() || classes.size() > 256) {
            // Labels are single bytes, so more than 256 classes could never all be used.
            throw new IllegalArgumentException("need 1 to 256 class names, got " + classes.size());
        }

        IdxFile images = IdxFile.read(imageFile, 3);
        IdxFile labels = IdxFile.read(labelFile, 1);
        int[] imageDims = images.dims();
        int count = imageDims[0];
        int labelCount = labels.dims()[0];
        if (labelCount != count) {
            throw new DataException(imageFile + " has " + count + " images but " + labelFile + " has " + labelCount
                    + " labels; they must come in pairs (are they from the same split?)");
        }

        byte[] labelBytes = labels.data();
        for (int i = 0; i < count; i++) {
            int label = labelBytes[i] & 0xFF;
            if (label >= classes.size()) {
                throw new DataException(labelFile + ": label " + label + " at index " + i + " is outside 0.."
                        + (classes.size() - 1) + " (" + classes.size() + " classes)");
            }
        }
        return new ImageClassification(name, count, imageDims[1], imageDims[2], images.data(), labelBytes, classes,
                mean, std);
    }

    /** Like {@link #read(String, Path, Path, List, double, double)} with pixels left in [0, 1]. */
    public static ImageClassification read(String name, Path imageFile, Path labelFile, List<String> classNames) {
        return read(name, imageFile, labelFile, classNames, 0, 1);
    }

    /**
     * The same images and labels with a different normalisation, sharing the pixel memory; for example
     * {@code withNormalisation(0, 1)} to look at raw [0, 1] pixels.
     */
    public ImageClassification withNormalisation(double mean, double std) {
        return new ImageClassification(name, count, rows, cols, pixels, labels, classNames, mean, std);
    }

    /** The mean subtracted from each [0, 1] pixel. */
    public double mean() {
        return mean;
    }

    /** The standard deviation each centred pixel is divided by. */
    public double std() {
        return std;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int[] sampleShape() {
        return new int[] {1, rows, cols};
    }

    @Override
    public int numClasses() {
        return classNames.size();
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public void sample(int index, float[] dst, int offset) {
        Objects.checkIndex(index, count);
        int n = rows * cols;
        Objects.checkFromIndexSize(offset, n, dst.length);
        int from = index * n;
        for (int i = 0; i < n; i++) {
            dst[offset + i] = valueOfByte[pixels[from + i] & 0xFF];
        }
    }

    @Override
    public int label(int index) {
        return labels[Objects.checkIndex(index, count)] & 0xFF;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + ", " + count + " images of " + rows + "x" + cols + ", " + classNames.size() + " classes";
    }
}
