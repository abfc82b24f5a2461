package dev.fovea.io;

import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fovea's model file: the architecture and the weights in one file that loading can only read, never run.
 *
 * <pre>
 *   offset 0   8 bytes   magic "FOVEAMDL"
 *          8   4 bytes   format version, little-endian u32 (1)
 *         12   8 bytes   header length H, little-endian u64
 *         20   H bytes   UTF-8 JSON: {"architecture": {...}, "tensors": [{"name", "dtype": "float32", "shape",
 *                        "offset", "length"}...], "metadata": {...}}; offsets count from the data section
 *     20 + H   ...       data: every tensor as little-endian float32, in header order, back to back
 *   end - 32  32 bytes   SHA-256 of everything before it
 * </pre>
 *
 * Loading checks the checksum before reading anything else, so a truncated or altered file is refused whole;
 * then it checks that every size in the header fits the bytes present and that the tensors are exactly those of
 * the architecture. Saving writes a temporary file in the same folder, forces it to disk and renames it over
 * the target, so a crash mid-write leaves the previous file intact.
 */
public final class ModelFile {
    private ModelFile() {}

    static final byte[] MAGIC = "FOVEAMDL".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    private static final int PREFIX = 20, DIGEST = 32;
    private static final long MAX_HEADER = 16 << 20;
    private static final long MAX_FILE = Integer.MAX_VALUE - 64;

    /** A loaded model and the metadata saved with it (class names, input shape, normalisation, ...). */
    public record Loaded(Module model, Map<String, Object> metadata) {}

    public static void save(Path path, Module model, Map<String, Object> metadata) throws IOException {
        Map<String, Tensor> state = model.stateDict();
        List<Object> index = new ArrayList<>();
        long offset = 0;
        for (var e : state.entrySet()) {
            Map<String, Object> t = new LinkedHashMap<>();
            int n = e.getValue().numel();
            t.put("name", e.getKey());
            t.put("dtype", "float32");
            t.put("shape", e.getValue().shape());
            t.put("offset", offset);
            t.put("length", 4L * n);
            index.add(t);
            offset += 4L * n;
        }
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("architecture", Architecture.describe(model));
        header.put("tensors", index);
        header.put("metadata", metadata == null ? Map.of() : metadata);
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        long total = PREFIX + json.length + offset + DIGEST;
        if (total > MAX_FILE) throw new IOException("model too large for the format: " + total + " bytes");
        ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putInt(VERSION).putLong(json.length).put(json);
        for (Tensor t : state.values()) {
            for (float v : t.toFloatArray()) buf.putFloat(v);
        }
        buf.put(sha256(buf.array(), (int) total - DIGEST));
        writeAtomically(path, buf.array());
    }

    /** The file's name for messages: its last path element. */
    static String fileName(Path path) {
        return path.getFileName() == null ? path.toString() : path.getFileName().toString();
    }

    /**
     * The whole file, refused before reading when it is larger than any Fovea file can be or too short to hold a
     * header and its digest; {@code what} ("model file", "checkpoint") names the kind in the messages.
     */
    static byte[] readBounded(Path path, String what) throws IOException {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no such " + what);
        }
        String name = fileName(path);
        if (size > MAX_FILE) throw new ModelFormatException(name + ": " + size + " bytes is larger than any Fovea " + what + " can be");
        if (size < PREFIX + DIGEST) throw new ModelFormatException(name + ": only " + size + " bytes; not a Fovea " + what + " (or truncated)");
        return Files.readAllBytes(path);
    }

    public static Loaded load(Path path) throws IOException {
        String name = fileName(path);
        byte[] bytes = readBounded(path, "model file");
        Verified verified = verify(bytes, name, MAGIC, VERSION, MAX_HEADER, "model file", "file");
        Map<?, ?> header = verified.header();
        List<?> tensors = verified.tensors();
        long dataLen = verified.dataLen();
        Module model;
        try {
            model = Architecture.build(header.get("architecture"), dataLen / 4);
        } catch (ModelFormatException e) {
            throw new ModelFormatException(name + ": " + e.getMessage(), e);
        }
        Map<String, Tensor> state = model.stateDict();
        if (tensors.size() != state.size()) {
            throw new ModelFormatException(name + ": " + tensors.size() + " tensors stored, the architecture has " + state.size());
        }
        int dataStart = verified.dataStart();
        long expectedOffset = 0;
        Map<String, Tensor> loaded = new LinkedHashMap<>();
        for (Object o : tensors) {
            if (!(o instanceof Map<?, ?> t) || !(t.get("name") instanceof String tn)) throw new ModelFormatException(name + ": malformed tensor entry");
            Tensor target = state.get(tn);
            if (target == null) throw new ModelFormatException(name + ": tensor \"" + tn + "\" is not part of the architecture");
            if (loaded.containsKey(tn)) throw new ModelFormatException(name + ": tensor \"" + tn + "\" is stored twice");
            if (!"float32".equals(t.get("dtype"))) throw new ModelFormatException(name + ": tensor \"" + tn + "\" has dtype " + t.get("dtype") + ", expected float32");
            int[] shape = target.shape();
            if (!(t.get("shape") instanceof List<?> ls) || !sameShape(ls, shape)) {
                throw new ModelFormatException(name + ": tensor \"" + tn + "\" has shape " + t.get("shape") + ", the architecture needs " + Arrays.toString(shape));
            }
            long len = 4L * target.numel();
            if (!(t.get("offset") instanceof Long off) || off != expectedOffset || !(t.get("length") instanceof Long l) || l != len || off + len > dataLen) {
                throw new ModelFormatException(name + ": tensor \"" + tn + "\" has a bad offset or length for the data present");
            }
            float[] v = new float[target.numel()];
            ByteBuffer.wrap(bytes, dataStart + (int) (long) off, (int) len).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            loaded.put(tn, Tensor.of(v, shape));
            expectedOffset += len;
        }
        if (expectedOffset != dataLen) throw new ModelFormatException(name + ": " + (dataLen - expectedOffset) + " unexplained bytes after the tensors");
        model.loadStateDict(loaded);
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (header.get("metadata") instanceof Map<?, ?> md) {
            for (var e : md.entrySet()) metadata.put(String.valueOf(e.getKey()), e.getValue());
        }
        model.eval();
        return new Loaded(model, metadata);
    }

    /** The header and data section of a file whose magic, checksum, version and header have been checked. */
    record Verified(Map<?, ?> header, List<?> tensors, int dataStart, long dataLen) {}

    /**
     * What model files and checkpoints share: magic, then version, header length, JSON header and data, then a
     * SHA-256 of all before it. {@code what} names the format in messages ("model file"), {@code kind} the file
     * ("file", "checkpoint").
     */
    static Verified verify(byte[] bytes, String name, byte[] magic, int version, long maxHeader, String what, String kind) {
        if (!Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)) {
            throw new ModelFormatException(name + ": not a Fovea " + what + " (it does not start with " + new String(magic, StandardCharsets.US_ASCII) + ")");
        }
        byte[] expect = sha256(bytes, bytes.length - DIGEST);
        if (!Arrays.equals(bytes, bytes.length - DIGEST, bytes.length, expect, 0, DIGEST)) {
            throw new ModelFormatException(name + ": checksum mismatch: the " + kind + " is truncated or was altered");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(magic.length);
        int stored = buf.getInt();
        if (stored != version) {
            throw new ModelFormatException(name + ": " + (kind.equals("file") ? "" : kind + " ") + "format version " + stored + ", this Fovea reads version " + version);
        }
        long headerLen = buf.getLong();
        long dataLen = bytes.length - DIGEST - PREFIX - headerLen;
        if (headerLen < 2 || headerLen > maxHeader || dataLen < 0) {
            throw new ModelFormatException(name + ": header length " + headerLen + " does not fit a file of " + bytes.length + " bytes");
        }
        Object parsed;
        try {
            parsed = Json.parse(new String(bytes, PREFIX, (int) headerLen, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(name + ": bad header: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> header) || !(header.get("tensors") instanceof List<?> tensors)) {
            throw new ModelFormatException(name + ": header lacks a \"tensors\" list");
        }
        return new Verified(header, tensors, PREFIX + (int) headerLen, dataLen);
    }

    private static boolean sameShape(List<?> stored, int[] shape) {
        if (stored.size() != shape.length) return false;
        for (int i = 0; i < shape.length; i++) {
            if (!(stored.get(i) instanceof Long l) || l != shape[i]) return false;
        }
        return true;
    }

    /** Forces a folder's entries to disk (POSIX fsync on the directory); a no-op where the system cannot open folders. */
    private static void forceDirectory(Path dir) {
        if (dir == null) return;
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a file; its rename is durable without it.
        }
    }

    static byte[] sha256(byte[] data, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, 0, length);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Temporary file in the same folder, forced to disk, then renamed over the target, and the folder forced too so
     * that the rename itself survives a power cut. A crash at any moment leaves the old file or the new one, whole;
     * at worst a stray temporary file ({@code .NAME*.tmp}) stays behind.
     */
    public static void writeAtomically(Path path, byte[] bytes) throws IOException {
        Path abs = path.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                out.write(bytes);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
