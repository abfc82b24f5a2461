package dev.fovea.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static dev.fovea.data.IdxBytes.gzip;
import static dev.fovea.data.IdxBytes.idx;
import static dev.fovea.data.IdxBytes.ubyte;
import static dev.fovea.data.IdxBytes.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxFileTest {
    @TempDir
    Path dir;

    private static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 7 + 200); // wraps, so values above 127 are included
        return b;
    }

    /** Reads a file expected to be malformed and checks the message names the file and the problem. */
    private DataException rejects(Path file, String... problem) {
        DataException e = assertThrows(DataException.class, () -> IdxFile.read(file));
        assertMessage(e, file, problem);
        return e;
    }

    static void assertMessage(Exception e, Path file, String... problem) {
        String message = e.getMessage();
        assertTrue(message.contains(file.getFileName().toString()), "message should name " + file + ": " + message);
        for (String p : problem) {
            assertTrue(message.contains(p), "message should say \"" + p + "\": " + message);
        }
    }

    @Test
    void rawRoundTrip() {
        byte[] payload = counting(3 * 2 * 4);
        Path file = write(dir, "a.idx", ubyte(new int[] {3, 2, 4}, payload));
        IdxFile idx = IdxFile.read(file);
        assertArrayEquals(new int[] {3, 2, 4}, idx.dims());
        assertArrayEquals(payload, idx.data());
        assertEquals(file, idx.file());
        assertEquals(200, idx.data()[0] & 0xFF);
    }

    @Test
    void gzipIsRecognisedByContentNotByName() {
        byte[] payload = counting(5 * 3);
        Path gz = write(dir, "no-extension", gzip(ubyte(new int[] {5, 3}, payload)));
        Path rawNamedGz = write(dir, "raw.gz", ubyte(new int[] {5, 3}, payload));
        for (Path file : new Path[] {gz, rawNamedGz}) {
            IdxFile idx = IdxFile.read(file);
            assertArrayEquals(new int[] {5, 3}, idx.dims());
            assertArrayEquals(payload, idx.data());
        }
    }

    @Test
    void oneToFourDimensions() {
        for (int n = 1; n <= 4; n++) {
            int[] dims = new int[n];
            Arrays.fill(dims, 2);
            byte[] payload = counting(1 << n);
            IdxFile idx = IdxFile.read(write(dir, "d" + n + ".gz", gzip(ubyte(dims, payload))));
            assertArrayEquals(dims, idx.dims());
            assertArrayEquals(payload, idx.data());
        }
    }

    @Test
    void dimsIsACopy() {
        IdxFile idx = IdxFile.read(write(dir, "a", ubyte(new int[] {2}, new byte[2])));
        idx.dims()[0] = 99;
        assertArrayEquals(new int[] {2}, idx.dims());
    }

    @Test
    void badMagic() {
        Path file = write(dir, "bad-magic", idx(0x12345678, new int[] {1}, new byte[1]));
        rejects(file, "bad magic number 0x12345678", "not an IDX file");
    }

    @Test
    void badMagicReportedAgainstWhatWasExpected() {
        Path file = write(dir, "train-images-idx3-ubyte.gz", gzip(idx(0, new int[0], new byte[16])));
        DataException e = assertThrows(DataException.class, () -> IdxFile.read(file, 3));
        assertMessage(e, file, "bad magic number 0x00000000, expected 0x00000803 (unsigned bytes, 3 dimensions)");

        Path labels = write(dir, "labels", ubyte(new int[] {4}, new byte[4]));
        e = assertThrows(DataException.class, () -> IdxFile.read(labels, 3));
        assertMessage(e, labels, "bad magic number 0x00000801, expected 0x00000803", "found 1 dimension");
    }

    @Test
    void unsupportedTypeCodeIsNamed() {
        Path floats = write(dir, "floats", idx(0x0D01, new int[] {1}, new byte[4]));
        rejects(floats, "element type 0x0D (32-bit floats) is not supported", "only 0x08");
        Path ints = write(dir, "ints", idx(0x0C01, new int[] {1}, new byte[4]));
        rejects(ints, "element type 0x0C (32-bit integers)");
        Path unknown = write(dir, "unknown", idx(0x4201, new int[] {1}, new byte[1]));
        rejects(unknown, "bad magic number 0x00004201", "unknown element type 0x42");
    }

    @Test
    void dimensionCountOutsideOneToFour() {
        rejects(write(dir, "zero-dims", idx(0x0800, new int[0], new byte[0])), "0x00000800", "found 0 dimensions");
        rejects(write(dir, "five-dims", idx(0x0805, new int[] {1, 1, 1, 1, 1}, new byte[1])), "found 5 dimensions");
    }

    @Test
    void zeroSizedDimension() {
        rejects(write(dir, "zero-size", ubyte(new int[] {3, 0, 2}, new byte[0])),
                "dimension 2 of 3 has size 0", "must be positive");
    }

    @Test
    void sizesBeyondOneArrayAreRejectedBeforeAllocating() {
        rejects(write(dir, "huge", ubyte(new int[] {65536, 65536}, new byte[0])),
                "65536 x 65536", "limit");
        // 0xFFFFFFFF would be -1 if read as signed; it is reported as the size it says.
        rejects(write(dir, "unsigned", ubyte(new int[] {-1}, new byte[0])), "4294967295", "limit");
        // Three sizes of 2^20 multiply past a long if not stopped as soon as the running product passes the limit.
        rejects(write(dir, "overflow", ubyte(new int[] {1 << 20, 1 << 20, 1 << 20}, new byte[0])), "limit");
    }

    @Test
    void hugeDeclaredSizeInTinyGzipIsTruncatedNotOutOfMemory() {
        // Declares ~2 GB; the reader must not allocate that up front (the test JVM has -Xmx2g).
        Path file = write(dir, "liar.gz", gzip(ubyte(new int[] {2_000_000_000}, new byte[10])));
        rejects(file, "truncated", "10 payload bytes", "2000000000");
    }

    @Test
    void truncatedPayload() {
        byte[] raw = ubyte(new int[] {2, 3}, new byte[5]);
        rejects(write(dir, "short", raw), "truncated", "file has 17 bytes", "declares 2 x 3 values (18 bytes)");
        rejects(write(dir, "short.gz", gzip(raw)), "truncated", "5 payload bytes", "2 x 3 values (6 bytes)");
    }

    @Test
    void trailingBytes() {
        byte[] raw = ubyte(new int[] {2, 3}, new byte[8]);
        rejects(write(dir, "long", raw), "2 trailing bytes", "file has 20 bytes", "2 x 3 values (18 bytes)");
        rejects(write(dir, "long.gz", gzip(raw)), "trailing bytes", "past the 6 payload bytes");
    }

    @Test
    void truncatedHeader() {
        byte[] full = ubyte(new int[] {10, 28, 28}, new byte[0]);
        rejects(write(dir, "header", Arrays.copyOf(full, 9)), "truncated header", "3 dimensions", "ends after 9");
        rejects(write(dir, "empty", new byte[0]), "too short", "0 bytes");
        rejects(write(dir, "two", new byte[] {0, 0}), "too short", "2 bytes");
    }

    @Test
    void corruptGzipStream() {
        byte[] gz = gzip(ubyte(new int[] {100}, counting(100)));
        Path cut = write(dir, "cut.gz", Arrays.copyOf(gz, gz.length / 2));
        rejects(cut, "ends unexpectedly");
    }

    @Test
    void missingFile() {
        rejects(dir.resolve("absent-idx1-ubyte"), "file not found");
    }
}
