package dev.fovea.data;

import dev.fovea.tensor.Rng;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The standard preprocessing and augmentation steps as {@link Transform}s. They act on the values the dataset
 * yields, which are normalised pixels for Fovea's datasets; where a step fills in pixels (padding, rotation,
 * translation, erasing) it fills 0, which after normalisation is the data set's mean colour.
 *
 * <p>Geometric steps sample with bilinear interpolation, pixel centres aligned. Every random choice comes from the
 * generator passed to {@link Transform#apply}, so results repeat under a seed.
 */
public final class Transforms {
    private Transforms() {
    }

    // ---------------------------------------------------------------- normalisation

    /** Subtracts {@code mean[c]} from every value of channel {@code c}. */
    public static Transform subtractMean(double... mean) {
        double[] m = mean.clone();
        return named("subtractMean", (x, s, rng) -> {
            checkChannels(m.length, s, "subtractMean");
            int plane = s[1] * s[2];
            for (int c = 0; c < s[0]; c++) for (int k = 0; k < plane; k++) x[c * plane + k] -= (float) m[c];
            return x;
        });
    }

    /** Subtracts a whole mean image (same shape as the samples), as AlexNet did; see {@link #meanImage}. */
    public static Transform subtractMeanImage(float[] meanImage) {
        float[] m = meanImage.clone();
        return named("subtractMeanImage", (x, s, rng) -> {
            if (x.length != m.length) throw new IllegalArgumentException("mean image has " + m.length + " values, the sample " + x.length);
            for (int i = 0; i < x.length; i++) x[i] -= m[i];
            return x;
        });
    }

    /** The mean sample over the first {@code n} samples of {@code data} (all, if fewer). */
    public static float[] meanImage(Dataset data, int n) {
        int m = Math.min(n, data.size()), d = data.sampleSize();
        double[] sum = new double[d];
        float[] buf = new float[d];
        for (int i = 0; i < m; i++) {
            data.sample(i, buf, 0);
            for (int k = 0; k < d; k++) sum[k] += buf[k];
        }
        float[] out = new float[d];
        for (int k = 0; k < d; k++) out[k] = (float) (sum[k] / Math.max(1, m));
        return out;
    }

    /** {@code (x - mean[c]) / std[c]} for each channel {@code c}. */
    public static Transform normalize(double[] mean, double[] std) {
        double[] m = mean.clone(), sd = std.clone();
        if (m.length != sd.length) throw new IllegalArgumentException("need as many stds as means");
        for (double v : sd) if (!(v > 0)) throw new IllegalArgumentException("stds must be positive, got " + v);
        return named("normalize", (x, s, rng) -> {
            checkChannels(m.length, s, "normalize");
            int plane = s[1] * s[2];
            for (int c = 0; c < s[0]; c++) {
                for (int k = 0; k < plane; k++) x[c * plane + k] = (float) ((x[c * plane + k] - m[c]) / sd[c]);
            }
            return x;
        });
    }

    // ---------------------------------------------------------------- geometry

    /** Resizes to {@code height x width}, bilinear with pixel centres aligned (as {@link ImageFile}). */
    public static Transform resize(int height, int width) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("size must be positive");
        return new Transform() {
            @Override
            public float[] apply(float[] x, int[] s, Rng rng) {
                int c = s[0], h = s[1], w = s[2];
                float[] out = new float[c * height * width];
                for (int ch = 0; ch < c; ch++) {
                    for (int y = 0; y < height; y++) {
                        double sy = Math.min(Math.max((y + 0.5) * h / height - 0.5, 0), h - 1);
                        int y0 = (int) sy, y1 = Math.min(y0 + 1, h - 1);
                        double fy = sy - y0;
                        for (int xx = 0; xx < width; xx++) {
                            double sx = Math.min(Math.max((xx + 0.5) * w / width - 0.5, 0), w - 1);
                            int x0 = (int) sx, x1 = Math.min(x0 + 1, w - 1);
                            double fx = sx - x0;
                            int b = ch * h * w;
                            double top = x[b + y0 * w + x0] * (1 - fx) + x[b + y0 * w + x1] * fx;
                            double bot = x[b + y1 * w + x0] * (1 - fx) + x[b + y1 * w + x1] * fx;
                            out[(ch * height + y) * width + xx] = (float) (top * (1 - fy) + bot * fy);
                        }
                    }
                }
                return out;
            }

            @Override
            public int[] outputShape(int[] s) {
                return new int[] {s[0], height, width};
            }

            @Override
            public String toString() {
                return "resize(" + height + "x" + width + ")";
            }
        };
    }

    /** The central {@code height x width} window (rounded towards the top left when the margin is odd). */
    public static Transform centerCrop(int height, int width) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("size must be positive");
        return new Transform() {
            @Override
            public float[] apply(float[] x, int[] s, Rng rng) {
                if (height > s[1] || width > s[2]) {
                    throw new IllegalArgumentException("centerCrop " + height + "x" + width + " of a " + s[1] + "x" + s[2] + " image");
                }
                return window(x, s, (s[1] - height) / 2, (s[2] - width) / 2, height, width);
            }

            @Override
            public int[] outputShape(int[] s) {
                return new int[] {s[0], height, width};
            }

            @Override
            public String toString() {
                return "centerCrop(" + height + "x" + width + ")";
            }
        };
    }

    /**
     * A random crop of the image's own size out of the image padded with {@code padding} zeros on every side, as
     * for CIFAR ({@code padding = 4}): a random shift of up to {@code padding} pixels each way.
     */
    public static Transform randomCrop(int padding) {
        if (padding < 0) throw new IllegalArgumentException("padding must be non-negative, got " + padding);
        return named("randomCrop(" + padding + ")", (x, s, rng) -> {
            int top = rng.nextInt(2 * padding + 1) - padding, left = rng.nextInt(2 * padding + 1) - padding;
            return window(x, s, top, left, s[1], s[2]);
        });
    }

    /** The window at (top, left) of size h x w; positions outside the image read as 0. */
    static float[] window(float[] x, int[] s, int top, int left, int h, int w) {
        int c = s[0], ih = s[1], iw = s[2];
        float[] out = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int sy = y + top;
                if (sy < 0 || sy >= ih) continue;
                for (int xx = 0; xx < w; xx++) {
                    int sx = xx + left;
                    if (sx >= 0 && sx < iw) out[(ch * h + y) * w + xx] = x[(ch * ih + sy) * iw + sx];
                }
            }
        }
        return out;
    }

    /** Mirrors left-right with probability {@code p}. */
    public static Transform horizontalFlip(double p) {
        checkProbability(p);
        return named("horizontalFlip(" + p + ")", (x, s, rng) -> {
            if (rng.nextDouble() >= p) return x;
            int h = s[1], w = s[2];
            for (int r = 0; r < s[0] * h; r++) {
                for (int i = r * w, j = r * w + w - 1; i < j; i++, j--) {
                    float t = x[i];
                    x[i] = x[j];
                    x[j] = t;
                }
            }
            return x;
        });
    }

    /** Mirrors top-bottom with probability {@code p}. */
    public static Transform verticalFlip(double p) {
        checkProbability(p);
        return named("verticalFlip(" + p + ")", (x, s, rng) -> {
            if (rng.nextDouble() >= p) return x;
            int h = s[1], w = s[2];
            float[] row = new float[w];
            for (int c = 0; c < s[0]; c++) {
                for (int i = 0, j = h - 1; i < j; i++, j--) {
                    int a = (c * h + i) * w, b = (c * h + j) * w;
                    System.arraycopy(x, a, row, 0, w);
                    System.arraycopy(x, b, x, a, w);
                    System.arraycopy(row, 0, x, b, w);
                }
            }
            return x;
        });
    }

    /** Shifts by (dx, dy) pixels (right and down), bilinear, filling 0; {@code translate(0, 0)} is the identity. */
    public static Transform translate(double dx, double dy) {
        return named("translate(" + dx + ", " + dy + ")", (x, s, rng) -> affine(x, s, 0, dx, dy));
    }

    /** Shifts by a whole number of pixels drawn uniformly from {@code [-max, max]}, independently in x and y; fills 0. */
    public static Transform randomTranslation(int max) {
        if (max < 0) throw new IllegalArgumentException("max must be non-negative, got " + max);
        return named("randomTranslation(" + max + ")", (x, s, rng) -> {
            int dx = rng.nextInt(2 * max + 1) - max, dy = rng.nextInt(2 * max + 1) - max;
            return affine(x, s, 0, dx, dy);
        });
    }

    /** Rotates about the centre by {@code degrees} (anticlockwise as displayed), bilinear, filling 0. */
    public static Transform rotate(double degrees) {
        return named("rotate(" + degrees + ")", (x, s, rng) -> affine(x, s, Math.toRadians(degrees), 0, 0));
    }

    /** Rotates about the centre by an angle drawn uniformly from {@code [-maxDegrees, maxDegrees]}; fills 0. */
    public static Transform randomRotation(double maxDegrees) {
        if (!(maxDegrees >= 0)) throw new IllegalArgumentException("maxDegrees must be non-negative");
        return named("randomRotation(" + maxDegrees + ")", (x, s, rng) -> {
            double deg = (2 * rng.nextDouble() - 1) * maxDegrees;
            return affine(x, s, Math.toRadians(deg), 0, 0);
        });
    }

    /** Output pixel p takes the input at R(-angle) (p - centre - t) + centre, bilinear, 0 outside. */
    static float[] affine(float[] x, int[] s, double angle, double tx, double ty) {
        int c = s[0], h = s[1], w = s[2];
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        // Image y points down, so an anticlockwise rotation on screen is clockwise in (x, y) coordinates.
        double cos = Math.cos(angle), sin = Math.sin(angle);
        float[] out = new float[x.length];
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                double u = xx - cx - tx, v = y - cy - ty;
                double sx = angle == 0 ? xx - tx : cos * u - sin * v + cx;
                double sy = angle == 0 ? y - ty : sin * u + cos * v + cy;
                int x0 = (int) Math.floor(sx), y0 = (int) Math.floor(sy);
                double fx = sx - x0, fy = sy - y0;
                for (int ch = 0; ch < c; ch++) {
                    int b = ch * h * w;
                    double val = 0;
                    if (fx != 1 && fy != 1) val += (1 - fx) * (1 - fy) * at(x, b, w, h, x0, y0);
                    if (fx != 0 && fy != 1) val += fx * (1 - fy) * at(x, b, w, h, x0 + 1, y0);
                    if (fx != 1 && fy != 0) val += (1 - fx) * fy * at(x, b, w, h, x0, y0 + 1);
                    if (fx != 0 && fy != 0) val += fx * fy * at(x, b, w, h, x0 + 1, y0 + 1);
                    out[b + y * w + xx] = (float) val;
                }
            }
        }
        return out;
    }

    private static float at(float[] x, int base, int w, int h, int px, int py) {
        return px < 0 || py < 0 || px >= w || py >= h ? 0 : x[base + py * w + px];
    }

    // ---------------------------------------------------------------- photometric

    /** Adds one offset, drawn uniformly from {@code [-delta, delta]}, to every value. */
    public static Transform brightness(double delta) {
        if (!(delta >= 0)) throw new IllegalArgumentException("delta must be non-negative");
        return named("brightness(" + delta + ")", (x, s, rng) -> {
            float d = (float) ((2 * rng.nextDouble() - 1) * delta);
            for (int i = 0; i < x.length; i++) x[i] += d;
            return x;
        });
    }

    /** Scales the deviations from the image's mean (over all values) by a factor drawn from {@code [1 - f, 1 + f]}. */
    public static Transform contrast(double f) {
        if (!(f >= 0 && f <= 1)) throw new IllegalArgumentException("contrast factor must be in [0, 1], got " + f);
        return named("contrast(" + f + ")", (x, s, rng) -> {
            double k = 1 + (2 * rng.nextDouble() - 1) * f, mean = 0;
            for (float v : x) mean += v;
            mean /= x.length;
            for (int i = 0; i < x.length; i++) x[i] = (float) (mean + k * (x[i] - mean));
            return x;
        });
    }

    /**
     * Random erasing (Zhong et al., 2017) with the paper's ranges: with probability {@code p}, a rectangle of area
     * 2% to 33% of the image and aspect ratio (height / width) 0.3 to 3.3, placed uniformly, is set to 0 in every
     * channel (the mean, after normalisation; torchvision's {@code RandomErasing} default). Up to 10 draws are
     * tried for a rectangle that fits; if none does, the image is left alone. See {@link #randomErasingNoise} for
     * the paper's random fill.
     */
    public static Transform randomErasing(double p) {
        return randomErasing(p, 0.02, 0.33, 0.3, 1 / 0.3, false);
    }

    /**
     * Random erasing that fills the rectangle with noise, as the paper does and torchvision's
     * {@code value='random'}: every erased value is drawn from N(0, 1), which on normalised pixels is noise at the
     * data's own scale. The network cannot learn to spot a constant patch and ignore it.
     */
    public static Transform randomErasingNoise(double p) {
        return randomErasing(p, 0.02, 0.33, 0.3, 1 / 0.3, true);
    }

    /**
     * Random erasing with explicit area (fraction of the image) and aspect-ratio (height / width) ranges, filling
     * 0 or, with {@code noise}, N(0, 1) values.
     */
    public static Transform randomErasing(double p, double minArea, double maxArea, double minAspect, double maxAspect, boolean noise) {
        checkProbability(p);
        if (!(minArea > 0 && minArea <= maxArea && maxArea <= 1 && minAspect > 0 && minAspect <= maxAspect)) {
            throw new IllegalArgumentException("need 0 < minArea <= maxArea <= 1 and 0 < minAspect <= maxAspect");
        }
        return named((noise ? "randomErasingNoise(" : "randomErasing(") + p + ")", (x, s, rng) -> {
            if (rng.nextDouble() >= p) return x;
            int h = s[1], w = s[2];
            for (int attempt = 0; attempt < 10; attempt++) {
                double area = (minArea + (maxArea - minArea) * rng.nextDouble()) * h * w;
                double aspect = Math.exp(Math.log(minAspect) + (Math.log(maxAspect) - Math.log(minAspect)) * rng.nextDouble());
                int eh = (int) Math.round(Math.sqrt(area * aspect)), ew = (int) Math.round(Math.sqrt(area / aspect));
                if (eh < 1 || ew < 1 || eh >= h || ew >= w) continue;
                int top = rng.nextInt(h - eh + 1), left = rng.nextInt(w - ew + 1);
                for (int c = 0; c < s[0]; c++) {
                    for (int y = top; y < top + eh; y++) {
                        int from = (c * h + y) * w + left;
                        if (!noise) {
                            java.util.Arrays.fill(x, from, from + ew, 0f);
                        } else {
                            for (int i = from; i < from + ew; i++) x[i] = (float) rng.nextGaussian();
                        }
                    }
                }
                return x;
            }
            return x;
        });
    }

    // ---------------------------------------------------------------- parsing

    /** The syntax of {@link #parse}, for help texts. */
    public static final String SYNTAX = "comma-separated NAME or NAME:VALUE: crop:PAD (random crop, zero padding PAD, default 4), "
            + "flip[:P] (horizontal, P 0.5), vflip[:P], translate:N (up to N pixels), rotate:DEG (up to DEG degrees), "
            + "brightness:X (add up to +-X), contrast:X (scale by 1+-X), erase[:P] (random erasing, P 0.5, fills 0), erase-noise[:P] (fills N(0,1) noise, as the paper), "
            + "pca-colour[:S] (AlexNet colour shift, alpha ~ N(0, S), S 0.1, fitted on the training set)";

    /**
     * Parses a list such as {@code crop:4,flip,erase:0.5} (see {@link #SYNTAX}) into one composed transform, in the
     * order given. {@code fitOn} is the training set, used by steps that learn from data (pca-colour looks at up to
     * 10000 of its images).
     *
     * @throws IllegalArgumentException with a message naming the faulty entry
     */
    public static Transform parse(String spec, Dataset fitOn) {
        List<Transform> steps = new ArrayList<>();
        for (String raw : spec.split(",", -1)) {
            String entry = raw.trim();
            if (entry.isEmpty()) throw new IllegalArgumentException("empty entry in '" + spec + "'");
            int colon = entry.indexOf(':');
            String name = (colon < 0 ? entry : entry.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
            String value = colon < 0 ? null : entry.substring(colon + 1).trim();
            steps.add(switch (name) {
                case "crop" -> randomCrop((int) integer(entry, value, 4, 0, 1024));
                case "flip", "hflip" -> horizontalFlip(number(entry, value, 0.5, 0, 1));
                case "vflip" -> verticalFlip(number(entry, value, 0.5, 0, 1));
                case "translate" -> randomTranslation((int) integer(entry, required(entry, value), 0, 0, 1024));
                case "rotate" -> randomRotation(number(entry, required(entry, value), 0, 0, 180));
                case "brightness" -> brightness(number(entry, required(entry, value), 0, 0, 1e6));
                case "contrast" -> contrast(number(entry, required(entry, value), 0, 0, 1));
                case "erase" -> randomErasing(number(entry, value, 0.5, 0, 1));
                case "erase-noise" -> randomErasingNoise(number(entry, value, 0.5, 0, 1));
                case "pca-colour", "pca-color" -> {
                    double sigma = number(entry, value, 0.1, 0, 1e6);
                    if (fitOn == null) throw new IllegalArgumentException("'" + entry + "' needs a training set to fit on");
                    yield ColorPca.fit(fitOn, 10_000).transform(sigma);
                }
                default -> throw new IllegalArgumentException("unknown augmentation '" + name + "' in '" + entry
                        + "'; known: crop, flip, vflip, translate, rotate, brightness, contrast, erase, erase-noise, pca-colour");
            });
        }
        return Transform.compose(steps);
    }

    private static String required(String entry, String value) {
        if (value == null || value.isEmpty()) throw new IllegalArgumentException("'" + entry + "' needs a value, as in " + entry + ":VALUE");
        return value;
    }

    private static double number(String entry, String value, double dflt, double min, double max) {
        if (value == null) return dflt;
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + entry + "': '" + value + "' is not a number");
        }
        if (!(v >= min && v <= max)) throw new IllegalArgumentException("'" + entry + "': the value must be between " + min + " and " + max);
        return v;
    }

    private static long integer(String entry, String value, long dflt, long min, long max) {
        if (value == null) return dflt;
        long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + entry + "': '" + value + "' is not a whole number");
        }
        if (v < min || v > max) throw new IllegalArgumentException("'" + entry + "': the value must be between " + min + " and " + max);
        return v;
    }

    // ---------------------------------------------------------------- helpers

    private static void checkProbability(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
    }

    private static void checkChannels(int n, int[] s, String what) {
        if (n != s[0]) throw new IllegalArgumentException(what + " has " + n + " channel values for " + s[0] + " channels");
    }

    static Transform named(String name, Transform t) {
        return new Transform() {
            @Override
            public float[] apply(float[] x, int[] shape, Rng rng) {
                return t.apply(x, shape, rng);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
