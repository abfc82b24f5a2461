package dev.fovea.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds IDX files byte by byte, well-formed or not, so the tests need no data on disk. */
final class IdxBytes {
    private IdxBytes() {
    }

    /** A header with the given magic number and sizes, then the payload; nothing is checked. */
    static byte[] idx(int magic, int[] dims, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeInt(out, magic);
        for (int d : dims) writeInt(out, d);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** A well-formed unsigned-byte IDX file. */
    static byte[] ubyte(int[] dims, byte[] payload) {
        return idx(0x0800 | dims.length, dims, payload);
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pixel byte the test images hold at position {@code p} of image {@code i}: varied, covering 0..255. */
    static int pixel(int i, int p) {
        return (i * 37 + p * 11) & 0xFF;
    }

    static byte[] images(int count, int rows, int cols) {
        byte[] b = new byte[count * rows * cols];
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < rows * cols; p++) {
                b[i * rows * cols + p] = (byte) pixel(i, p);
            }
        }
        return b;
    }

    static byte[] labels(int count, int numClasses) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) b[i] = (byte) (i % numClasses);
        return b;
    }

    /** Writes one split in the MNIST layout: {@code prefix-images-idx3-ubyte} and {@code prefix-labels-idx1-ubyte}. */
    static void writeSplit(Path dir, String prefix, int count, int rows, int cols, boolean gzip) {
        byte[] images = ubyte(new int[] {count, rows, cols}, images(count, rows, cols));
        byte[] labels = ubyte(new int[] {count}, labels(count, 10));
        String ext = gzip ? ".gz" : "";
        write(dir, prefix + "-images-idx3-ubyte" + ext, gzip ? gzip(images) : images);
        write(dir, prefix + "-labels-idx1-ubyte" + ext, gzip ? gzip(labels) : labels);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
