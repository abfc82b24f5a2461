package dev.fovea.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A folder of images sorted into one sub-folder per class, the layout of torchvision's {@code ImageFolder}:
 * {@code root/cat/001.png}, {@code root/dog/a.jpg} and so on. Classes are the sub-folders sorted by name (so label 0
 * is the first name in sort order); within a class the files are sorted by name too, so the sample order is the same
 * on every machine. Files ending in {@code .png}, {@code .jpg} or {@code .jpeg} (any case) are read through
 * {@link ImageFile}, resized (bilinear) to the size asked for and kept in memory as bytes; hidden entries and other
 * files are skipped. An image that cannot be decoded, or that is larger than the pixel limit according to its
 * header (checked before decoding), stops loading with a {@link DataException} naming its path.
 *
 * <p>The dataset comes back with pixels in [0, 1] (mean 0, std 1); normalise it with the training split's own
 * statistics, {@link ByteImageDataset#channelStatistics(int)} and {@link ByteImageDataset#withNormalisation}, and
 * use the same numbers for the test split.
 */
public final class ImageFolder {
    /** The default limit on width x height of one source image: 40 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    private ImageFolder() {
    }

    /** Reads {@code root} with the {@link #DEFAULT_MAX_PIXELS default pixel limit}. */
    public static ByteImageDataset read(String name, Path root, int channels, int height, int width) {
        return read(name, root, channels, height, width, DEFAULT_MAX_PIXELS);
    }

    /**
     * @param channels  1 (grey, by luminance) or 3 (RGB)
     * @param height    the height every image is resized to
     * @param width     the width every image is resized to
     * @param maxPixels images with more pixels than this, by their header, are refused before decoding
     */
    public static ByteImageDataset read(String name, Path root, int channels, int height, int width, long maxPixels) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        if (height < 1 || width < 1) throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        if (!Files.isDirectory(root)) {
            throw new DataException(root + ": " + (Files.exists(root) ? "not a directory" : "directory not found")
                    + " (needed for " + name + "; expected one sub-folder of images per class)");
        }
        List<Path> classDirs = list(root, Files::isDirectory);
        if (classDirs.isEmpty()) {
            throw new DataException(root + ": no class sub-folders (expected one sub-folder of PNG or JPEG images per class)");
        }
        if (classDirs.size() > 65536) throw new DataException(root + ": " + classDirs.size() + " class folders is too many");
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            Path d = classDirs.get(c);
            classes.add(d.getFileName().toString());
            List<Path> images = list(d, p -> Files.isRegularFile(p) && isImageName(p));
            if (images.isEmpty()) throw new DataException(d + ": class folder without PNG or JPEG images");
            for (Path p : images) {
                files.add(p);
                labelList.add(c);
            }
        }
        int per = channels * height * width;
        if ((long) per * files.size() > Integer.MAX_VALUE - 16) {
            throw new DataException(root + ": " + files.size() + " images of " + channels + "x" + height + "x" + width
                    + " do not fit in one array; use a smaller size");
        }
        byte[] pixels = new byte[per * files.size()];
        int[] labels = new int[files.size()];
        for (int i = 0; i < files.size(); i++) {
            float[] x = ImageFile.read(files.get(i), channels, height, width, maxPixels);
            for (int k = 0; k < per; k++) {
                pixels[i * per + k] = (byte) Math.round(Math.min(1f, Math.max(0f, x[k])) * 255f);
            }
            labels[i] = labelList.get(i);
        }
        double[] zeros = new double[channels], ones = new double[channels];
        Arrays.fill(ones, 1);
        return new ByteImageDataset(name, channels, height, width, pixels, labels, classes, zeros, ones);
    }

    static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).filter(keep).sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
    }
}
