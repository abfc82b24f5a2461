package dev.fovea.io;

import dev.fovea.nn.Module;
import dev.fovea.optim.Optimizer;
import dev.fovea.tensor.DType;
import dev.fovea.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training checkpoint: everything a run needs to continue as if it had never stopped. The model (architecture
 * and weights, as in a {@link ModelFile}), the optimizer's state ({@link Optimizer#exportState()}), the
 * trainer's counters as JSON ({@code training}: epoch, step, early-stopping record, ...), extra named tensors
 * (such as the best weights so far) and free metadata (such as the command-line options of the run).
 *
 * <pre>
 *   offset 0   8 bytes   magic "FOVEACKP"
 *          8   4 bytes   format version, little-endian u32 (1)
 *         12   8 bytes   header length H, little-endian u64
 *         20   H bytes   UTF-8 JSON: {"architecture": {...}, "tensors": [{"name", "dtype": "float32" | "float64",
 *                        "shape", "offset", "length"}...], "optimizer": {"type", "info"}, "training": {...},
 *                        "metadata": {...}}; offsets count from the data section. Tensor names are
 *                        "model/NAME" (the state dict), "optimizer/INDEX.BUFFER" and "extra/NAME".
 *     20 + H   ...       data: every tensor little-endian in its dtype, in header order, back to back
 *   end - 32  32 bytes   SHA-256 of everything before it
 * </pre>
 *
 * The properties are a model file's: the checksum is checked before anything else is read, so a truncated or
 * altered checkpoint is refused whole with a message saying so; every size and offset is checked against the
 * bytes present; the architecture is built only from registered layer types. Saving writes a temporary file in
 * the same folder, forces it to disk and renames it over the target, so a crash while saving leaves the
 * previous checkpoint intact. Tensors keep their precision, so float32 weights and state come back bit for bit.
 *
 * @param model     the model whose weights and buffers are saved (on load: a new model in evaluation mode)
 * @param optimizer the optimizer's state, or null
 * @param training  the trainer's counters, JSON-able
 * @param tensors   extra tensors by name, such as the best weights of early stopping
 * @param metadata  anything else, JSON-able
 */
public record Checkpoint(Module model, Optimizer.State optimizer, Map<String, Object> training, Map<String, Tensor> tensors,
                         Map<String, Object> metadata) {
    static final byte[] MAGIC = "FOVEACKP".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    private static final int PREFIX = 20, DIGEST = 32;
    private static final long MAX_HEADER = 64 << 20;
    private static final long MAX_FILE = Integer.MAX_VALUE - 64;
    private static final String MODEL = "model/", OPTIMIZER = "optimizer/", EXTRA = "extra/";

    public Checkpoint {
        training = training == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(training));
        tensors = tensors == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Writes this checkpoint to {@code path} atomically (see the class comment). */
    public void save(Path path) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (var e : model.stateDict().entrySet()) all.put(MODEL + e.getKey(), e.getValue());
        if (optimizer != null) for (var e : optimizer.tensors().entrySet()) all.put(OPTIMIZER + e.getKey(), e.getValue());
        for (var e : tensors.entrySet()) all.put(EXTRA + e.getKey(), e.getValue());
        List<Object> index = new ArrayList<>();
        long offset = 0;
        for (var e : all.entrySet()) {
            Tensor t = e.getValue();
            long len = (long) t.numel() * (t.dtype() == DType.FLOAT64 ? 8 : 4);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.getKey());
            m.put("dtype", t.dtype() == DType.FLOAT64 ? "float64" : "float32");
            m.put("shape", t.shape());
            m.put("offset", offset);
            m.put("length", len);
            index.add(m);
            offset += len;
        }
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("architecture", Architecture.describe(model));
        header.put("tensors", index);
        if (optimizer != null) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("type", optimizer.type());
            o.put("info", optimizer.info());
            header.put("optimizer", o);
        }
        header.put("training", training);
        header.put("metadata", metadata);
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        long total = PREFIX + json.length + offset + DIGEST;
        if (total > MAX_FILE) throw new IOException("checkpoint too large for the format: " + total + " bytes");
        ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putInt(VERSION).putLong(json.length).put(json);
        for (Tensor t : all.values()) {
            if (t.dtype() == DType.FLOAT64) {
                for (double v : t.toDoubleArray()) buf.putDouble(v);
            } else {
                for (float v : t.toFloatArray()) buf.putFloat(v);
            }
        }
        buf.put(ModelFile.sha256(buf.array(), (int) total - DIGEST));
        ModelFile.writeAtomically(path, buf.array());
    }

    /** Reads a checkpoint, refusing (with {@link ModelFormatException}) anything truncated, altered or inconsistent. */
    public static Checkpoint load(Path path) throws IOException {
        String name = ModelFile.fileName(path);
        byte[] bytes = ModelFile.readBounded(path, "checkpoint");
        if (Arrays.equals(bytes, 0, ModelFile.MAGIC.length, ModelFile.MAGIC, 0, ModelFile.MAGIC.length)) {
            throw new ModelFormatException(name + ": a Fovea model file, not a checkpoint (a model file starts a new run from its weights instead)");
        }
        ModelFile.Verified verified = ModelFile.verify(bytes, name, MAGIC, VERSION, MAX_HEADER, "checkpoint", "checkpoint");
        Map<?, ?> header = verified.header();
        List<?> entries = verified.tensors();
        long dataLen = verified.dataLen();
        Module model;
        try {
            model = Architecture.build(header.get("architecture"), dataLen / 4);
        } catch (ModelFormatException e) {
            throw new ModelFormatException(name + ": " + e.getMessage(), e);
        }
        Map<String, Tensor> state = model.stateDict();
        int dataStart = verified.dataStart();
        long expectedOffset = 0;
        Map<String, Tensor> modelTensors = new LinkedHashMap<>(), optimizerTensors = new LinkedHashMap<>(), extra = new LinkedHashMap<>();
        for (Object o : entries) {
            if (!(o instanceof Map<?, ?> t) || !(t.get("name") instanceof String tn)) throw new ModelFormatException(name + ": malformed tensor entry");
            boolean f64 = "float64".equals(t.get("dtype"));
            if (!f64 && !"float32".equals(t.get("dtype"))) throw new ModelFormatException(name + ": tensor \"" + tn + "\" has dtype " + t.get("dtype"));
            int[] shape = shape(t.get("shape"), name, tn);
            long numel = 1;
            for (int d : shape) numel *= d;
            long len = numel * (f64 ? 8 : 4);
            if (!(t.get("offset") instanceof Long off) || off != expectedOffset || !(t.get("length") instanceof Long l) || l != len || off + len > dataLen) {
                throw new ModelFormatException(name + ": tensor \"" + tn + "\" has a bad offset or length for the data present");
            }
            ByteBuffer slice = ByteBuffer.wrap(bytes, dataStart + (int) (long) off, (int) len).order(ByteOrder.LITTLE_ENDIAN);
            Tensor value;
            if (f64) {
                double[] v = new double[(int) numel];
                slice.asDoubleBuffer().get(v);
                value = Tensor.of(v, shape);
            } else {
                float[] v = new float[(int) numel];
                slice.asFloatBuffer().get(v);
                value = Tensor.of(v, shape);
            }
            expectedOffset += len;
            Map<String, Tensor> into;
            String key;
            if (tn.startsWith(MODEL)) {
                into = modelTensors;
                key = tn.substring(MODEL.length());
                Tensor target = state.get(key);
                if (target == null) throw new ModelFormatException(name + ": tensor \"" + key + "\" is not part of the architecture");
                if (!Arrays.equals(target.shape(), shape)) {
                    throw new ModelFormatException(name + ": tensor \"" + key + "\" has shape " + Arrays.toString(shape) + ", the architecture needs " + Arrays.toString(target.shape()));
                }
            } else if (tn.startsWith(OPTIMIZER)) {
                into = optimizerTensors;
                key = tn.substring(OPTIMIZER.length());
            } else if (tn.startsWith(EXTRA)) {
                into = extra;
                key = tn.substring(EXTRA.length());
            } else {
                throw new ModelFormatException(name + ": tensor \"" + tn + "\" belongs to no known part");
            }
            if (into.put(key, value) != null) throw new ModelFormatException(name + ": tensor \"" + tn + "\" is stored twice");
        }
        if (expectedOffset != dataLen) throw new ModelFormatException(name + ": " + (dataLen - expectedOffset) + " unexplained bytes after the tensors");
        if (modelTensors.size() != state.size()) {
            throw new ModelFormatException(name + ": " + modelTensors.size() + " model tensors stored, the architecture has " + state.size());
        }
        model.loadStateDict(modelTensors);
        model.eval();
        Optimizer.State optimizer = null;
        if (header.get("optimizer") instanceof Map<?, ?> om) {
            if (!(om.get("type") instanceof String type) || !(om.get("info") instanceof Map<?, ?> info)) {
                throw new ModelFormatException(name + ": malformed optimizer entry");
            }
            optimizer = new Optimizer.State(type, stringKeys(info), optimizerTensors);
        } else if (!optimizerTensors.isEmpty()) {
            throw new ModelFormatException(name + ": optimizer tensors without an optimizer entry");
        }
        Map<String, Object> training = header.get("training") instanceof Map<?, ?> tm ? stringKeys(tm) : Map.of();
        Map<String, Object> metadata = header.get("metadata") instanceof Map<?, ?> md ? stringKeys(md) : Map.of();
        return new Checkpoint(model, optimizer, training, extra, metadata);
    }

    private static int[] shape(Object o, String file, String tensor) {
        if (!(o instanceof List<?> l) || l.size() > 8) throw new ModelFormatException(file + ": tensor \"" + tensor + "\" has a malformed shape");
        int[] shape = new int[l.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(l.get(i) instanceof Long v) || v < 0 || v > Integer.MAX_VALUE) throw new ModelFormatException(file + ": tensor \"" + tensor + "\" has a malformed shape");
            shape[i] = (int) (long) v;
            numel *= v;
            if (numel > MAX_FILE) throw new ModelFormatException(file + ": tensor \"" + tensor + "\" is larger than the file");
        }
        return shape;
    }

    private static Map<String, Object> stringKeys(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : m.entrySet()) out.put(String.valueOf(e.getKey()), e.getValue());
        return out;
    }
}
