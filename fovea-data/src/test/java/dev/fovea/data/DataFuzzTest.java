package dev.fovea.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz targets for every reader of outside bytes in fovea-data: IDX files (raw and gzip), CIFAR batches and image
 * folders (the PNG/JPEG decode path). The property is the same for all: the input is accepted, or refused with a
 * {@link DataException} whose message names the file; never another exception, never an allocation out of
 * proportion to the bytes given, never a hang. Without {@code JAZZER_FUZZ} each target runs once per file of its
 * seed corpus ({@code src/test/resources/dev/fovea/data/DataFuzzTestInputs/TARGET/}, made by {@link SeedCorpus});
 * with {@code JAZZER_FUZZ=1} Jazzer mutates them (see SECURITY.md).
 */
class DataFuzzTest {
    /** How long one target fuzzes with JAZZER_FUZZ=1 (regression runs ignore it); the campaign of SECURITY.md. */
    static final String FUZZ_TIME = "10m";

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = FUZZ_TIME)
    @Timeout(10)
    void idx(byte[] input) {
        Path file = write(dir.resolve("input.idx"), input);
        accepted(file, input.length, 64, () -> IdxFile.read(file));
    }

    /** The input as the contents of a gzip file, so that the IDX parser behind the inflater is explored too. */
    @FuzzTest(maxDuration = FUZZ_TIME)
    @Timeout(10)
    void idxGzip(byte[] input) {
        Path file = write(dir.resolve("input.idx.gz"), IdxBytes.gzip(input));
        accepted(file, input.length, 64, () -> IdxFile.read(file));
    }

    /**
     * Byte 0 chooses CIFAR-10 (even) or CIFAR-100 (odd) and, with bit 1, a class-names file whose length is byte 1
     * and whose text follows; the rest is the batch file.
     */
    @FuzzTest(maxDuration = FUZZ_TIME)
    @Timeout(10)
    void cifar(byte[] input) {
        Path root = fresh("cifar");
        int flags = input.length > 0 ? input[0] : 0, at = Math.min(1, input.length);
        boolean hundred = (flags & 1) != 0;
        long given = input.length;
        if ((flags & 2) != 0 && at < input.length) {
            int n = Math.min(input[at] & 0xFF, input.length - at - 1);
            write(root.resolve(hundred ? "fine_label_names.txt" : "batches.meta.txt"), java.util.Arrays.copyOfRange(input, at + 1, at + 1 + n));
            at += 1 + n;
        }
        Path file = write(root.resolve(hundred ? "test.bin" : "test_batch.bin"), java.util.Arrays.copyOfRange(input, at, input.length));
        accepted(root, given, 64, () -> {
            if (hundred) Cifar.test100(root);
            else Cifar.test10(root);
        });
        assertTrue(Files.exists(file));
    }

    /** One image in a one-class folder, read as ImageFolder reads it, resized to 3x8x8. */
    @FuzzTest(maxDuration = FUZZ_TIME)
    @Timeout(10)
    void imageFolder(byte[] input) {
        Path root = fresh("images");
        Path file = write(root.resolve("cls").resolve("input.png"), input);
        // Decoding may take up to the pixel count the bytes can encode (see ImageFile), a few bytes per pixel.
        accepted(file, input.length, 16 * ImageFile.MAX_PIXELS_PER_BYTE, () -> ImageFolder.read("fuzz", root, 3, 8, 8));
    }

    // ---------------------------------------------------------------- the property

    /**
     * Runs {@code read}: it must return or throw a {@link DataException} whose message names {@code subject}; and
     * it may allocate at most 32 MiB plus {@code perByte} bytes per input byte. Over the bound it runs once more: a
     * code path's first run also allocates for loading its classes (and, while fuzzing, for instrumenting them).
     */
    static void accepted(Path subject, long inputBytes, long perByte, Runnable read) {
        long allowed = (32L << 20) + perByte * inputBytes, allocated = allocation(subject, read);
        if (allocated > allowed) allocated = allocation(subject, read);
        assertTrue(allocated <= allowed, "allocated " + allocated + " bytes for " + inputBytes + " input bytes (allowed " + allowed + ")");
    }

    private static long allocation(Path subject, Runnable read) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        try {
            read.run();
        } catch (DataException e) {
            String m = e.getMessage();
            assertTrue(m != null && m.contains(subject.getFileName().toString()) && m.length() > subject.toString().length() + 5,
                    "a refusal must name the file and the problem: " + m);
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private static Path fresh(String name) {
        Path d = dir.resolve(name);
        try {
            if (Files.exists(d)) {
                try (Stream<Path> s = Files.walk(d)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            return Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
