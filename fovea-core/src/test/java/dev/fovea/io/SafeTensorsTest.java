package dev.fovea.io;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** A safetensors file assembled byte by byte: u64 header length, the header text, then the data bytes. */
    private Path file(String header, byte... data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = h.length;
        for (int i = 0; i < 8; i++) out.write((int) (n >>> (8 * i)) & 0xff);
        out.write(h);
        out.write(data);
        Path p = dir.resolve("t.safetensors");
        Files.write(p, out.toByteArray());
        return p;
    }

    private static byte[] le(int... words) {
        ByteBuffer b = ByteBuffer.allocate(4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) b.putInt(w);
        return b.array();
    }

    private static byte[] le16(int... halves) {
        ByteBuffer b = ByteBuffer.allocate(2 * halves.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int h : halves) b.putShort((short) h);
        return b.array();
    }

    private String refused(Path p) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().startsWith(p.getFileName() + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata() throws IOException {
        Rng rng = new Rng(3);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("conv1.weight", Tensor.randn(rng, 4, 3, 3, 3));
        in.put("bn1.num_batches_tracked", Tensor.scalar(7));
        in.put("fc.bias", Tensor.of(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE}, 4));
        in.put("empty", Tensor.zeros(0, 5));
        Path p = dir.resolve("rt.safetensors");
        SafeTensors.write(p, in, Map.of("model", "x", "note", "é \"quoted\""));
        assertEquals(0, ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() % 8, "data starts 8-byte aligned");
        SafeTensors.Contents c = SafeTensors.read(p);
        assertEquals(in.keySet(), c.tensors().keySet());
        for (var e : in.entrySet()) {
            Tensor got = c.tensors().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            float[] a = e.getValue().toFloatArray(), b = got.toFloatArray();
            for (int i = 0; i < a.length; i++) assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), e.getKey());
            assertEquals("F32", c.dtypes().get(e.getKey()));
        }
        assertEquals(Map.of("model", "x", "note", "é \"quoted\""), c.metadata());
    }

    @Test
    void readsAFileWrittenByHandFromTheSpec() throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[24,32]}}   ";
        byte[] data = new byte[32];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x3f800000).putInt(0x40000000).putInt(0x40400000).putInt(0xbf000000); // 1, 2, 3, -0.5
        b.putInt(0x42280000).putInt(0x7f800000); // 42, +inf
        b.putLong(12345);
        SafeTensors.Contents c = SafeTensors.read(file(header, data));
        assertArrayEquals(new int[] {2, 2}, c.tensors().get("a").shape());
        assertArrayEquals(new float[] {1, 2, 3, -0.5f}, c.tensors().get("a").toFloatArray());
        assertArrayEquals(new float[] {42, Float.POSITIVE_INFINITY}, c.tensors().get("b").toFloatArray());
        assertArrayEquals(new int[0], c.tensors().get("n").shape());
        assertArrayEquals(new float[] {12345}, c.tensors().get("n").toFloatArray());
        assertEquals("I64", c.dtypes().get("n"));
        assertEquals(Map.of("format", "pt"), c.metadata());
    }

    @Test
    void writerMatchesTheSpecByteForByte() {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("w", Tensor.of(new float[] {1, -2}, 2));
        byte[] bytes = SafeTensors.encode(in, null);
        String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        int padded = (json.length() + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(padded, b.getLong());
        byte[] h = new byte[padded];
        b.get(h);
        assertEquals(json + " ".repeat(padded - json.length()), new String(h, StandardCharsets.UTF_8));
        assertEquals(0x3f800000, b.getInt());
        assertEquals(0xc0000000, b.getInt());
        assertEquals(8 + padded + 8, bytes.length);
    }

    @Test
    void convertsHalfAndBfloat16() throws IOException {
        // F16: 1.0, -2.5, 65504 (largest), 2^-24 (smallest subnormal), 1023 * 2^-24 (largest subnormal), +inf, -inf, NaN, -0
        int[] half = {0x3c00, 0xc100, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x7e00, 0x8000};
        float[] halfExpected = {1f, -2.5f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, -0f};
        // BF16: 1.0, -2.5, 65280 (0x477f), 2^-133 (subnormal), +inf, NaN
        int[] bf = {0x3f80, 0xc020, 0x477f, 0x0001, 0x7f80, 0x7fc0};
        float[] bfExpected = {1f, -2.5f, 65280f, 0x1p-133f, Float.POSITIVE_INFINITY, Float.NaN};
        byte[] h = le16(half), bfb = le16(bf);
        byte[] data = Arrays.copyOf(h, h.length + bfb.length);
        System.arraycopy(bfb, 0, data, h.length, bfb.length);
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[9],\"data_offsets\":[0,18]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3,2],\"data_offsets\":[18,30]}}";
        SafeTensors.Contents c = SafeTensors.read(file(header, data));
        float[] gotH = c.tensors().get("h").toFloatArray(), gotB = c.tensors().get("b").toFloatArray();
        for (int i = 0; i < halfExpected.length; i++) assertEquals(halfExpected[i], gotH[i], 0, "half " + Integer.toHexString(half[i]));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(gotH[8]));
        for (int i = 0; i < bfExpected.length; i++) assertEquals(bfExpected[i], gotB[i], 0, "bf16 " + Integer.toHexString(bf[i]));
    }

    @Test
    void readsFloat64() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-1e300);
        SafeTensors.Contents c = SafeTensors.read(file("{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", b.array()));
        assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, c.tensors().get("d").toFloatArray());
    }

    @Test
    void refusesTruncatedFiles() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertTrue(refused(p).contains("only 3 bytes"));
        // A valid file missing its last 4 bytes.
        Path full = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", le(1, 2));
        byte[] all = Files.readAllBytes(full);
        Files.write(full, Arrays.copyOf(all, all.length - 4));
        assertTrue(refused(full).contains("run past"), refused(full));
    }

    @Test
    void refusesAHeaderLengthBeyondTheFile() throws IOException {
        Path p = dir.resolve("long.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
        Files.write(p, b.array());
        assertTrue(refused(p).contains("header length 1099511627776 does not fit a file of 16 bytes"), refused(p));
        b.clear();
        b.putLong(-1L).putLong(0); // 2^64 - 1 as an unsigned u64
        Files.write(p, b.array());
        assertTrue(refused(p).contains("18446744073709551615"), refused(p));
    }

    @Test
    void refusesOverlapsHolesAndTrailingBytes() throws IOException {
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertTrue(refused(file(overlap, le(1, 2, 3))).contains("overlap"));
        String same = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertTrue(refused(file(same, le(1))).contains("overlap"));
        String hole = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertTrue(refused(file(hole, le(1, 2, 3))).contains("hole in the data buffer: bytes 4 to 8"));
        String trailing = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertTrue(refused(file(trailing, le(1, 2))).contains("4 bytes after the last tensor"));
    }

    @Test
    void refusesAByteCountThatDoesNotMatchTheShape() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        assertTrue(refused(file(h, le(1, 2))).contains("8 bytes for 3 F32 elements"), refused(file(h, le(1, 2))));
    }

    @Test
    void refusesUnknownDtypesNamingThem() throws IOException {
        String h = "{\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        String m = refused(file(h, le(1, 2)));
        assertTrue(m.contains("tensor \"a\" has dtype I32; Fovea reads F32, F64, F16, BF16 and I64"), m);
    }

    @Test
    void refusesHugeElementCountsBeforeAllocating() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1048576,1048576],\"data_offsets\":[0,4]}}";
        assertTrue(refused(file(h, le(1))).contains("more elements than Fovea can hold"));
        String overflow = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,4]}}";
        assertTrue(refused(file(overflow, le(1))).contains("more elements than Fovea can hold"));
        String negative = "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}";
        assertTrue(refused(file(negative, le(1))).contains("non-negative"));
    }

    @Test
    void refusesMalformedHeaders() throws IOException {
        assertTrue(refused(file("{\"a\":1,}", le())).contains("bad header"));
        assertTrue(refused(file("[1, 2]", le())).contains("not a JSON object"));
        assertTrue(refused(file("{\"__metadata__\":{\"k\":1}}", le())).contains("not a string"));
        assertTrue(refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", le(1))).contains("data_offsets"));
        assertTrue(refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", le(1))).contains("data_offsets"));
        Path p = file("{\"a\":{}}  ", le());
        byte[] b = Files.readAllBytes(p);
        b[10] = (byte) 0xff; // invalid UTF-8 inside the key
        Files.write(p, b);
        assertTrue(refused(p).contains("UTF-8"));
    }

    @Test
    void acceptsAnEmptyFile() throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file("{}"));
        assertTrue(c.tensors().isEmpty());
    }
}
