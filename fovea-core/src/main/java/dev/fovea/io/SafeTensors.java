package dev.fovea.io;

import dev.fovea.tensor.Tensor;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face), the usual way to move weights between PyTorch and other libraries.
 *
 * <pre>
 *   offset 0   8 bytes   header length N, little-endian u64
 *          8   N bytes   UTF-8 JSON: {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
 *                        "__metadata__": {string: string}} (may be padded with trailing spaces)
 *      8 + N   ...       data buffer; offsets count from its start, little-endian, row-major
 * </pre>
 *
 * Writing stores float32 ({@code F32}). Reading accepts {@code F32}, {@code F64}, {@code F16}, {@code BF16} and
 * {@code I64} (PyTorch stores BatchNorm's {@code num_batches_tracked} as I64) and converts every tensor to float32.
 * The whole header is checked before any tensor is allocated: the header length against the file, strict JSON,
 * dtypes, shapes (non-negative, element counts that fit), each tensor's byte count against its shape, and the
 * tensors' byte ranges, which must tile the data buffer exactly (no overlap, no hole, nothing after the last).
 * Any problem is a {@link ModelFormatException} naming the file and the problem.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** A header larger than this is refused (the Rust reference implementation's limit is 100 MB too). */
    public static final long MAX_HEADER = 100L << 20;
    /** The most elements one tensor may have (Fovea's tensors are indexed by int). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** What a file holds: float32 tensors by name (in header order), the metadata, and each tensor's stored dtype. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, String> dtypes) {}

    private record Entry(String name, String dtype, int[] shape, long begin, long end) {}

    /** Bytes per element of the dtypes Fovea reads. */
    private static int dtypeSize(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "F64", "I64" -> 8;
            case "F16", "BF16" -> 2;
            default -> -1;
        };
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code tensors} as float32, in map order, with {@code metadata} (may be null), atomically. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ModelFile.writeAtomically(path, encode(tensors, metadata));
    }

    /** The bytes of a safetensors file holding {@code tensors} as float32. */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) header.put("__metadata__", new LinkedHashMap<>(metadata));
        long offset = 0;
        for (var e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("a tensor cannot be named __metadata__");
            Map<String, Object> t = new LinkedHashMap<>();
            long len = 4L * e.getValue().numel();
            t.put("dtype", "F32");
            t.put("shape", e.getValue().shape());
            t.put("data_offsets", List.of(offset, offset + len));
            header.put(e.getKey(), t);
            offset += len;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // the reference writer aligns the data to 8 bytes with spaces
        long total = 8L + padded + offset;
        if (total > Integer.MAX_VALUE - 64) throw new IllegalArgumentException("tensors too large to write in one buffer: " + total + " bytes");
        ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) buf.put((byte) ' ');
        for (Tensor t : tensors.values()) {
            for (float v : t.toFloatArray()) buf.putFloat(v);
        }
        return buf.array();
    }

    // ---------------------------------------------------------------- reading

    public static Contents read(Path path) throws IOException {
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no such safetensors file");
        }
        try (ch) {
            long size = ch.size();
            if (size < 8) throw bad(name, "only " + size + " bytes; not a safetensors file (or truncated)");
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long n = len.flip().getLong();
            if (n < 2 || n > size - 8) {
                throw bad(name, "header length " + Long.toUnsignedString(n) + " does not fit a file of " + size + " bytes (truncated, or not a safetensors file)");
            }
            if (n > MAX_HEADER) throw bad(name, "header length " + n + " is over the " + MAX_HEADER + "-byte limit");
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb.flip()).toString();
            } catch (CharacterCodingException e) {
                throw bad(name, "the header is not valid UTF-8");
            }
            long dataStart = 8 + n, dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = parseHeader(name, text, dataLen, metadata);

            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> dtypes = new LinkedHashMap<>();
            for (Entry e : entries) {
                long bytes = e.end - e.begin;
                if (bytes > Integer.MAX_VALUE - 8) throw bad(name, "tensor \"" + e.name + "\" is " + bytes + " bytes, too large to read");
                ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, b, dataStart + e.begin);
                b.flip();
                tensors.put(e.name, Tensor.of(decode(b, e.dtype, (int) (bytes / dtypeSize(e.dtype))), e.shape));
                dtypes.put(e.name, e.dtype);
            }
            return new Contents(tensors, metadata, dtypes);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, position);
            if (r < 0) throw new EOFException("file shrank while being read");
            position += r;
        }
    }

    private static float[] decode(ByteBuffer b, String dtype, int n) {
        float[] out = new float[n];
        switch (dtype) {
            case "F32" -> b.asFloatBuffer().get(out);
            case "F64" -> {
                for (int i = 0; i < n; i++) out[i] = (float) b.getDouble();
            }
            case "I64" -> {
                for (int i = 0; i < n; i++) out[i] = (float) b.getLong();
            }
            case "F16" -> {
                for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort());
            }
            case "BF16" -> {
                for (int i = 0; i < n; i++) out[i] = bfloat16ToFloat(b.getShort());
            }
            default -> throw new IllegalStateException(dtype);
        }
        return out;
    }

    /** IEEE 754 binary16 to float32 (exact: every half is a float). */
    public static float halfToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** bfloat16 (the top 16 bits of a float32) to float32 (exact). */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    private static List<Entry> parseHeader(String name, String text, long dataLen, Map<String, String> metadata) {
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad(name, "bad header: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> header)) throw bad(name, "the header is not a JSON object");
        List<Entry> entries = new ArrayList<>();
        for (var kv : header.entrySet()) {
            String tn = (String) kv.getKey();
            if (tn.equals("__metadata__")) {
                if (!(kv.getValue() instanceof Map<?, ?> md)) throw bad(name, "\"__metadata__\" must be an object of strings");
                for (var m : md.entrySet()) {
                    if (!(m.getValue() instanceof String s)) throw bad(name, "\"__metadata__\" value of \"" + m.getKey() + "\" is not a string");
                    metadata.put((String) m.getKey(), s);
                }
                continue;
            }
            String where = "tensor \"" + tn + "\"";
            if (!(kv.getValue() instanceof Map<?, ?> t)) throw bad(name, where + ": expected an object");
            for (Object k : t.keySet()) {
                if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) throw bad(name, where + ": unknown field \"" + k + "\"");
            }
            if (!(t.get("dtype") instanceof String dtype)) throw bad(name, where + ": missing \"dtype\"");
            int size = dtypeSize(dtype);
            if (size < 0) {
                throw bad(name, where + " has dtype " + dtype + "; Fovea reads F32, F64, F16, BF16 and I64");
            }
            if (!(t.get("shape") instanceof List<?> shapeList)) throw bad(name, where + ": missing \"shape\"");
            if (shapeList.size() > 16) throw bad(name, where + ": " + shapeList.size() + " dimensions is too many");
            int[] shape = new int[shapeList.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                if (!(shapeList.get(i) instanceof Long d) || d < 0) throw bad(name, where + ": shape " + shapeList + " is not a list of non-negative integers");
                try {
                    numel = Math.multiplyExact(numel, d);
                } catch (ArithmeticException e) {
                    numel = Long.MAX_VALUE;
                }
                if (d > Integer.MAX_VALUE || numel > MAX_ELEMENTS) {
                    throw bad(name, where + ": shape " + shapeList + " has more elements than Fovea can hold (at most " + MAX_ELEMENTS + ")");
                }
                shape[i] = (int) (long) d;
            }
            if (!(t.get("data_offsets") instanceof List<?> off) || off.size() != 2
                    || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end) || begin < 0 || end < begin) {
                throw bad(name, where + ": \"data_offsets\" must be [begin, end] with 0 <= begin <= end, got " + t.get("data_offsets"));
            }
            if (end > dataLen) throw bad(name, where + ": data_offsets " + off + " run past the " + dataLen + "-byte data buffer (truncated?)");
            if (end - begin != numel * size) {
                throw bad(name, where + ": " + (end - begin) + " bytes for " + numel + " " + dtype + " elements of shape " + shapeList
                        + " (expected " + numel * size + ")");
            }
            entries.add(new Entry(tn, dtype, shape, begin, end));
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long pos = 0;
        String prev = null;
        for (Entry e : sorted) {
            if (e.begin < pos) throw bad(name, "tensors \"" + prev + "\" and \"" + e.name + "\" overlap in the data buffer");
            if (e.begin > pos) throw bad(name, "hole in the data buffer: bytes " + pos + " to " + e.begin + " belong to no tensor");
            pos = e.end;
            prev = e.name;
        }
        if (pos != dataLen) throw bad(name, (dataLen - pos) + " bytes after the last tensor belong to no tensor");
        return entries;
    }

    private static ModelFormatException bad(String file, String problem) {
        return new ModelFormatException(file + ": " + problem);
    }
}
