package dev.fovea.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz targets for every reader of outside bytes in fovea-core: model files, checkpoints, the architecture they
 * describe, and safetensors. The property: the input is accepted, or refused with a {@link ModelFormatException}
 * whose message names the file (or, for a bare architecture, the place in it) and the problem; never another
 * exception, never an allocation out of proportion to the input, never a hang. Model files and checkpoints end in
 * a SHA-256 of the rest, which random bytes never match, so those targets append the right digest to the input and
 * let the fuzzer explore what lies behind the checksum. Seeds: {@link SeedCorpus}; campaign: SECURITY.md.
 */
class ParserFuzzTest {
    /** How long one target fuzzes with JAZZER_FUZZ=1 (regression runs ignore it). */
    static final String FUZZ_TIME = "10m";

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = FUZZ_TIME)
    @Timeout(10)
    void modelFile(byte[] body) {
        Path file = write("input.fovea", withDigest(body));
        accepted(file.getFileName().toString(), body.length, () -> ModelFile.load(file));
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    @Timeout(10)
    void checkpoint(byte[] body) {
        Path file = write("input.ckpt", withDigest(body));
        accepted(file.getFileName().toString(), body.length, () -> Checkpoint.load(file));
    }

    /** A JSON architecture, built as a model file would build it for a file of 1000 weights. */
    @FuzzTest(maxDuration = FUZZ_TIME)
    @Timeout(10)
    void architecture(byte[] json) {
        Object parsed;
        try {
            parsed = Json.parse(new String(json, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && e.getMessage().startsWith("JSON: "), "Json.parse refuses with a JSON: message: " + e.getMessage());
            return;
        }
        accepted("architecture", json.length, () -> Architecture.build(parsed, 1000));
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    @Timeout(10)
    void safeTensors(byte[] input) {
        Path file = write("input.safetensors", input);
        accepted(file.getFileName().toString(), input.length, () -> SafeTensors.read(file));
    }

    // ---------------------------------------------------------------- the property

    /**
     * {@code read} returns, or throws a ModelFormatException naming {@code subject}; at most 32 MiB + 256 B per input
     * byte. Over the bound it runs once more: a code path's first run also allocates for loading its classes (and,
     * while fuzzing, for instrumenting them), which is not the parser's doing.
     */
    private static void accepted(String subject, long inputBytes, ThrowingRunnable read) {
        long allowed = (32L << 20) + 256 * inputBytes, allocated = allocation(subject, read);
        if (allocated > allowed) allocated = allocation(subject, read);
        assertTrue(allocated <= allowed, "allocated " + allocated + " bytes for " + inputBytes + " input bytes (allowed " + allowed + ")");
    }

    private static long allocation(String subject, ThrowingRunnable read) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        try {
            read.run();
        } catch (ModelFormatException e) {
            String m = e.getMessage();
            assertTrue(m != null && m.startsWith(subject) && m.length() > subject.length() + 5, "a refusal must name the file and the problem: " + m);
        } catch (IOException e) {
            throw new UncheckedIOException("an I/O error reading a file that is there", e);
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private interface ThrowingRunnable {
        void run() throws IOException;
    }

    static byte[] withDigest(byte[] body) {
        byte[] out = java.util.Arrays.copyOf(body, body.length + 32);
        System.arraycopy(ModelFile.sha256(body, body.length), 0, out, body.length, 32);
        return out;
    }

    private static Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
