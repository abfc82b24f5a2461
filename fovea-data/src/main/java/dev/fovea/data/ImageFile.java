package dev.fovea.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Reads one PNG or JPEG (through the JDK's ImageIO) into a C x H x W float array scaled to [0, 1], resized with
 * bilinear interpolation. The size in the image's header is checked before any pixel is decoded, so a small file
 * claiming a huge image is refused rather than exhausting memory: each side must be at most {@link #MAX_SIDE}, and
 * the pixel count at most the caller's limit and at most {@link #MAX_PIXELS_PER_BYTE} times the file's length (no
 * PNG or JPEG encodes more, so a header claiming more belongs to a truncated or forged file). Only the PNG and JPEG
 * readers are used, whatever other formats ImageIO knows, to keep the code that sees untrusted bytes small.
 */
public final class ImageFile {
    private ImageFile() {}

    /** Largest width or height accepted. */
    public static final int MAX_SIDE = 8192;

    /**
     * The most pixels one byte of a PNG or JPEG file can stand for: deflate expands at most 1032-fold and a 1-bit
     * PNG packs 8 pixels in a byte (8256); a baseline or progressive JPEG needs at least one bit per 8x8 block.
     */
    public static final long MAX_PIXELS_PER_BYTE = 8 * 1032;

    /** {@code channels} is 1 (grey, by luminance) or 3 (RGB). Sides up to {@link #MAX_SIDE}. */
    public static float[] read(Path path, int channels, int height, int width) {
        return read(path, channels, height, width, (long) MAX_SIDE * MAX_SIDE);
    }

    /**
     * Like {@link #read(Path, int, int, int)}, and also refuses, from the header and before decoding, an image of
     * more than {@code maxPixels} pixels (width times height).
     */
    public static float[] read(Path path, int channels, int height, int width, long maxPixels) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("output size must be positive, got " + height + "x" + width);
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        String name = path.toString();
        if (!Files.isRegularFile(path)) throw new DataException(name + ": no such image file");
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
            if (in == null) throw new DataException(name + ": cannot open the file");
            ImageReader r = null;
            for (Iterator<ImageReader> readers = ImageIO.getImageReaders(in); readers.hasNext() && r == null; ) {
                ImageReader candidate = readers.next();
                String format = candidate.getFormatName().toLowerCase(java.util.Locale.ROOT);
                if (format.equals("png") || format.equals("jpeg")) r = candidate;
                else candidate.dispose();
            }
            if (r == null) throw new DataException(name + ": not a PNG or JPEG image");
            try {
                r.setInput(in, true, true);
                int w = r.getWidth(0), h = r.getHeight(0);
                if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE) {
                    throw new DataException(name + ": image of " + w + "x" + h + " pixels; sides must be between 1 and " + MAX_SIDE);
                }
                long bytes = Files.size(path);
                if ((long) w * h > MAX_PIXELS_PER_BYTE * bytes) {
                    throw new DataException(name + ": header claims " + w + "x" + h + " pixels, more than the file's " + bytes
                            + " bytes can hold; the file is truncated or corrupt");
                }
                if ((long) w * h > maxPixels) {
                    throw new DataException(name + ": image of " + w + "x" + h + " = " + (long) w * h
                            + " pixels is above the limit of " + maxPixels + " pixels");
                }
                img = r.read(0);
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException d) throw d;
            throw new DataException(name + ": cannot decode the image: " + e.getMessage(), e);
        }
        return resize(img, channels, height, width);
    }

    private static float[] resize(BufferedImage img, int channels, int oh, int ow) {
        int w = img.getWidth(), h = img.getHeight();
        float[][] src = new float[channels][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                float r = ((rgb >> 16) & 255) / 255f, g = ((rgb >> 8) & 255) / 255f, b = (rgb & 255) / 255f;
                if (channels == 1) {
                    src[0][y * w + x] = 0.299f * r + 0.587f * g + 0.114f * b;
                } else {
                    src[0][y * w + x] = r;
                    src[1][y * w + x] = g;
                    src[2][y * w + x] = b;
                }
            }
        }
        float[] out = new float[channels * oh * ow];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < oh; y++) {
                // Pixel centres aligned, as in PIL and torchvision's bilinear resize without antialiasing.
                double sy = Math.min(Math.max((y + 0.5) * h / oh - 0.5, 0), h - 1);
                int y0 = (int) sy, y1 = Math.min(y0 + 1, h - 1);
                double fy = sy - y0;
                for (int x = 0; x < ow; x++) {
                    double sx = Math.min(Math.max((x + 0.5) * w / ow - 0.5, 0), w - 1);
                    int x0 = (int) sx, x1 = Math.min(x0 + 1, w - 1);
                    double fx = sx - x0;
                    float[] p = src[c];
                    double top = p[y0 * w + x0] * (1 - fx) + p[y0 * w + x1] * fx;
                    double bot = p[y1 * w + x0] * (1 - fx) + p[y1 * w + x1] * fx;
                    out[(c * oh + y) * ow + x] = (float) (top * (1 - fy) + bot * fy);
                }
            }
        }
        return out;
    }
}
