package dev.fovea.web;

import dev.fovea.kernels.ConvShape;
import dev.fovea.tensor.Convolution;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The filter playground: the classic image kernels applied with the library's convolution, a 1-D convolution
 * shown step by step (with the kernel flipped, a true convolution; without, the cross-correlation that CNN layers
 * compute), and the output-size rule of a convolution with a check of the settings.
 */
final class Playground {
    private Playground() {}

    static final int MAX_KERNEL = 15, MAX_SIGNAL = 256, MAX_KERNEL_1D = 32;

    /** The named kernels, as rows. */
    static double[][] kernel(String name, double sigma) {
        return switch (name) {
            case "identity" -> new double[][] {{0, 0, 0}, {0, 1, 0}, {0, 0, 0}};
            case "mean" -> box(3);
            case "mean5" -> box(5);
            case "gaussian" -> gaussian(sigma);
            case "sobel-x" -> new double[][] {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}};
            case "sobel-y" -> new double[][] {{-1, -2, -1}, {0, 0, 0}, {1, 2, 1}};
            case "laplacian" -> new double[][] {{0, 1, 0}, {1, -4, 1}, {0, 1, 0}};
            case "sharpen" -> new double[][] {{0, -1, 0}, {-1, 5, -1}, {0, -1, 0}};
            default -> throw new IllegalArgumentException("unknown kernel '" + name + "'; available: identity, mean, mean5, gaussian, sobel-x, sobel-y, laplacian, sharpen, custom");
        };
    }

    private static double[][] box(int n) {
        double[][] k = new double[n][n];
        for (double[] row : k) java.util.Arrays.fill(row, 1.0 / (n * n));
        return k;
    }

    /** A normalised Gaussian of standard deviation sigma, 2*ceil(3 sigma)+1 wide (at most {@link #MAX_KERNEL}). */
    static double[][] gaussian(double sigma) {
        if (!(sigma >= 0.1 && sigma <= 5)) throw new IllegalArgumentException("sigma must be between 0.1 and 5, got " + sigma);
        int r = Math.min((MAX_KERNEL - 1) / 2, (int) Math.ceil(3 * sigma));
        int n = 2 * r + 1;
        double[][] k = new double[n][n];
        double s = 0;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) s += k[y][x] = Math.exp(-((y - r) * (y - r) + (x - r) * (x - r)) / (2 * sigma * sigma));
        }
        for (double[] row : k) for (int x = 0; x < n; x++) row[x] /= s;
        return k;
    }

    /**
     * Cross-correlates an h x w image with {@code kernel} ("same" size, zero padding), through
     * {@link Convolution#conv2d}: what a convolution layer with this one kernel computes.
     */
    static Map<String, Object> filter(float[] image, int h, int w, double[][] kernel) {
        int kh = kernel.length, kw = kernel[0].length;
        if (kh > MAX_KERNEL || kw > MAX_KERNEL) throw new IllegalArgumentException("kernels may be at most " + MAX_KERNEL + "x" + MAX_KERNEL + ", got " + kh + "x" + kw);
        float[] k = new float[kh * kw];
        for (int y = 0; y < kh; y++) {
            if (kernel[y].length != kw) throw new IllegalArgumentException("kernel rows must all have " + kw + " numbers; row " + y + " has " + kernel[y].length);
            for (int x = 0; x < kw; x++) {
                if (!Double.isFinite(kernel[y][x])) throw new IllegalArgumentException("kernel numbers must be finite");
                k[y * kw + x] = (float) kernel[y][x];
            }
        }
        Tensor x = Tensor.of(image.clone(), 1, 1, h, w).pad2d((kh - 1) / 2, kh / 2, (kw - 1) / 2, kw / 2);
        Tensor y = Convolution.conv2d(x, Tensor.of(k, 1, 1, kh, kw), null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1);
        float[] out = y.toFloatArray();
        double[] range = Numbers.range(out, 0, out.length);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kernel", rows(k, kh, kw));
        r.put("output", Numbers.plane(out, 0, h, w, 1 << 16));
        r.put("min", Numbers.round(range[0]));
        r.put("max", Numbers.round(range[1]));
        return r;
    }

    private static List<Object> rows(float[] k, int kh, int kw) {
        List<Object> rows = new ArrayList<>();
        for (int y = 0; y < kh; y++) rows.add(Numbers.list(k, y * kw, (y + 1) * kw));
        return rows;
    }

    /**
     * A 1-D convolution step by step, with zero padding {@code padding} on both sides. With {@code flip} the
     * kernel is reversed first (convolution in the signal-processing sense); without, the kernel slides as it is
     * (cross-correlation, what {@code Conv1d}/{@code Conv2d} compute). The outputs come from
     * {@link Convolution#conv2d} on a 1-row image; each step lists the window, the products and their sum.
     */
    static Map<String, Object> conv1d(double[] signal, double[] kernel, boolean flip, int padding) {
        if (signal.length < 1 || signal.length > MAX_SIGNAL) throw new IllegalArgumentException("the signal needs 1 to " + MAX_SIGNAL + " numbers, got " + signal.length);
        if (kernel.length < 1 || kernel.length > MAX_KERNEL_1D) throw new IllegalArgumentException("the kernel needs 1 to " + MAX_KERNEL_1D + " numbers, got " + kernel.length);
        if (padding < 0 || padding > MAX_KERNEL_1D) throw new IllegalArgumentException("padding must be between 0 and " + MAX_KERNEL_1D + ", got " + padding);
        for (double v : signal) if (!Double.isFinite(v)) throw new IllegalArgumentException("signal numbers must be finite");
        for (double v : kernel) if (!Double.isFinite(v)) throw new IllegalArgumentException("kernel numbers must be finite");
        int n = signal.length + 2 * padding, k = kernel.length;
        if (k > n) throw new IllegalArgumentException("the kernel (" + k + ") is longer than the padded signal (" + n + "): there is no output");
        double[] used = new double[k];
        for (int i = 0; i < k; i++) used[i] = flip ? kernel[k - 1 - i] : kernel[i];
        double[] padded = new double[n];
        System.arraycopy(signal, 0, padded, padding, signal.length);
        float[] xs = new float[n], ks = new float[k];
        for (int i = 0; i < n; i++) xs[i] = (float) padded[i];
        for (int i = 0; i < k; i++) ks[i] = (float) used[i];
        float[] out = Convolution.conv2d(Tensor.of(xs, 1, 1, 1, n), Tensor.of(ks, 1, 1, 1, k), null,
                new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1).toFloatArray();
        List<Object> steps = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            double[] products = new double[k];
            double s = 0;
            for (int j = 0; j < k; j++) s += products[j] = padded[i + j] * used[j];
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("position", i);
            st.put("products", Numbers.list(products));
            st.put("sum", Numbers.round(s));
            steps.add(st);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("flip", flip);
        r.put("padded", Numbers.list(padded));
        r.put("kernelUsed", Numbers.list(used));
        r.put("output", Numbers.list(out));
        r.put("steps", steps);
        return r;
    }

    /**
     * PyTorch's output size, floor((in + 2 padding - dilation (kernel - 1) - 1) / stride) + 1, with what is wrong
     * with impossible settings and a note when the last rows are not covered.
     */
    static Map<String, Object> outputSize(int in, int kernel, int padding, int stride, int dilation) {
        Map<String, Object> r = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (in < 1) problems.add("the input size must be at least 1");
        if (kernel < 1) problems.add("the kernel size must be at least 1");
        if (stride < 1) problems.add("the stride must be at least 1");
        if (dilation < 1) problems.add("the dilation must be at least 1");
        if (padding < 0) problems.add("the padding must not be negative");
        if (problems.isEmpty()) {
            int span = dilation * (kernel - 1) + 1;
            int out = ConvShape.outSize(in, kernel, stride, padding, dilation);
            r.put("span", span);
            r.put("formula", "floor((" + in + " + 2*" + padding + " - " + dilation + "*(" + kernel + " - 1) - 1) / " + stride + ") + 1");
            if (out < 1) {
                problems.add("the kernel spans " + span + " but the padded input is only " + (in + 2 * padding) + ": there is no output");
            } else {
                r.put("output", out);
                int left = in + 2 * padding - span - (out - 1) * stride;
                if (left > 0) r.put("note", "the last " + left + " of the padded input's " + (in + 2 * padding) + " positions are never covered by the kernel");
                if (padding >= span) r.put("note2", "padding of " + padding + " is at least the kernel's span " + span + ": some outputs see only padding");
            }
        }
        r.put("valid", problems.isEmpty());
        r.put("problems", problems);
        return r;
    }
}
