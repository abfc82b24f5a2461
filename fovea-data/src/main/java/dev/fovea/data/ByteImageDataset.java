package dev.fovea.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Images of any channel count held in memory as unsigned bytes, laid out sample, channel, row, column, with one
 * class label each and a per-channel normalisation: pixel byte {@code b} of channel {@code c} is written as
 * {@code (b / 255 - mean[c]) / std[c]}. What {@link Cifar} and {@link ImageFolder} return.
 *
 * <p>Immutable, and so safe to share between threads and loaders.
 */
public final class ByteImageDataset implements Dataset {
    private final String name;
    private final int count;
    private final int channels;
    private final int rows;
    private final int cols;
    private final byte[] pixels;
    private final int[] labels;
    private final List<String> classNames;
    private final double[] mean;
    private final double[] std;
    /** valueOfByte[c][b]: the normalised value of byte b in channel c. */
    private final float[][] valueOfByte;

    /**
     * @param pixels {@code count x channels x rows x cols} bytes (not copied)
     * @param labels {@code count} labels in {@code [0, classNames.size())} (not copied)
     * @param mean   per channel, subtracted after scaling to [0, 1]
     * @param std    per channel, positive
     */
    public ByteImageDataset(String name, int channels, int rows, int cols, byte[] pixels, int[] labels,
                            List<String> classNames, double[] mean, double[] std) {
        this.name = Objects.requireNonNull(name, "name");
        if (channels < 1 || rows < 1 || cols < 1) {
            throw new IllegalArgumentException("sample shape must be positive, got " + channels + "x" + rows + "x" + cols);
        }
        long per = (long) channels * rows * cols;
        if (pixels.length != per * labels.length) {
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixel bytes for " + labels.length
                    + " samples of " + per);
        }
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException(name + ": need one mean and one std per channel (" + channels + "), got "
                    + mean.length + " and " + std.length);
        }
        this.classNames = List.copyOf(classNames);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= this.classNames.size()) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " at index " + i + " is outside 0.."
                        + (this.classNames.size() - 1));
            }
        }
        this.count = labels.length;
        this.channels = channels;
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
        this.labels = labels;
        this.mean = mean.clone();
        this.std = std.clone();
        this.valueOfByte = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            if (!Double.isFinite(mean[c]) || !Double.isFinite(std[c]) || !(std[c] > 0)) {
                throw new IllegalArgumentException("normalisation needs finite means and positive stds, not mean "
                        + Arrays.toString(mean) + ", std " + Arrays.toString(std));
            }
            for (int b = 0; b < 256; b++) valueOfByte[c][b] = (float) ((b / 255.0 - mean[c]) / std[c]);
        }
    }

    /** The same images with another per-channel normalisation, sharing the memory; {@code (zeros, ones)} gives [0, 1]. */
    public ByteImageDataset withNormalisation(double[] mean, double[] std) {
        return new ByteImageDataset(name, channels, rows, cols, pixels, labels, classNames, mean, std);
    }

    /** The same images with pixels left in [0, 1]. */
    public ByteImageDataset raw() {
        double[] ones = new double[channels];
        Arrays.fill(ones, 1);
        return withNormalisation(new double[channels], ones);
    }

    /** The per-channel means subtracted from [0, 1] pixels. A copy. */
    public double[] mean() {
        return mean.clone();
    }

    /** The per-channel standard deviations the centred pixels are divided by. A copy. */
    public double[] std() {
        return std.clone();
    }

    /**
     * The mean and standard deviation of each channel over the first {@code n} images (all if fewer), on the [0, 1]
     * scale: {@code result[0]} the means, {@code result[1]} the standard deviations (at least 1e-3).
     */
    public double[][] channelStatistics(int n) {
        int m = Math.min(n, count), plane = rows * cols;
        double[] s = new double[channels], ss = new double[channels];
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < channels; c++) {
                int from = (i * channels + c) * plane;
                for (int k = 0; k < plane; k++) {
                    double v = (pixels[from + k] & 0xFF) / 255.0;
                    s[c] += v;
                    ss[c] += v * v;
                }
            }
        }
        double[] mu = new double[channels], sd = new double[channels];
        double total = Math.max(1.0, (double) m * plane);
        for (int c = 0; c < channels; c++) {
            mu[c] = s[c] / total;
            sd[c] = Math.max(1e-3, Math.sqrt(Math.max(0, ss[c] / total - mu[c] * mu[c])));
        }
        return new double[][] {mu, sd};
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int[] sampleShape() {
        return new int[] {channels, rows, cols};
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
        int plane = rows * cols, n = channels * plane;
        Objects.checkFromIndexSize(offset, n, dst.length);
        int from = index * n;
        for (int c = 0; c < channels; c++) {
            float[] table = valueOfByte[c];
            int base = c * plane;
            for (int k = 0; k < plane; k++) dst[offset + base + k] = table[pixels[from + base + k] & 0xFF];
        }
    }

    @Override
    public int label(int index) {
        return labels[Objects.checkIndex(index, count)];
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + ", " + count + " images of " + channels + "x" + rows + "x" + cols + ", " + classNames.size()
                + " classes";
    }
}
