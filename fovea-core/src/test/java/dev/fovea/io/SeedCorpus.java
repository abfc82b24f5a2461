package dev.fovea.io;

import dev.fovea.nn.BatchNorm1d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the seed corpus of {@link ParserFuzzTest} into {@code src/test/resources/dev/fovea/io/ParserFuzzTestInputs/}:
 * small valid files and typical breakages. Model files and checkpoints are stored without their last 32 bytes (the
 * target appends the digest). Run from the module folder:
 * {@code java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes dev.fovea.io.SeedCorpus}.
 */
public final class SeedCorpus {
    private SeedCorpus() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources/dev/fovea/io/ParserFuzzTestInputs");
        Path tmp = Files.createTempDirectory("seeds");
        Module small = new Sequential(new Conv2d(1, 2, 3), new ReLU(), new MaxPool2d(2), new Flatten(1), new Linear(2, 3), new BatchNorm1d(3));
        ModelFile.save(tmp.resolve("m"), small, Map.of("classes", List.of("a", "b", "c")));
        byte[] model = body(tmp.resolve("m"));
        write(root, "modelFile", "valid", model);
        write(root, "modelFile", "truncated-data", Arrays.copyOf(model, model.length - 40));
        write(root, "modelFile", "huge-linear-no-data", header("FOVEAMDL",
                "{\"architecture\":{\"type\":\"Linear\",\"config\":{\"in\":40000,\"out\":40000,\"bias\":true}},\"tensors\":[]}"));
        write(root, "modelFile", "unknown-layer", header("FOVEAMDL",
                "{\"architecture\":{\"type\":\"java.lang.Runtime\",\"config\":{}},\"tensors\":[]}"));
        write(root, "modelFile", "huge-shape", header("FOVEAMDL",
                "{\"architecture\":{\"type\":\"ReLU\"},\"tensors\":[{\"name\":\"w\",\"dtype\":\"float32\",\"shape\":[65536,65536],\"offset\":0,\"length\":17179869184}]}"));

        SGD sgd = new SGD(small.parameters(), 0.1, 0.9, 0, false);
        small.call(Tensor.ones(2, 1, 4, 4)).sum().backward();
        sgd.step();
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("epoch", 1);
        training.put("step", 4);
        new Checkpoint(small, sgd.exportState(), training, Map.of("best/x", Tensor.of(new double[] {1, 2}, 2)), Map.of("model", "small"))
                .save(tmp.resolve("c"));
        byte[] ckpt = body(tmp.resolve("c"));
        write(root, "checkpoint", "valid", ckpt);
        write(root, "checkpoint", "model-file-magic", model);
        write(root, "checkpoint", "truncated-data", Arrays.copyOf(ckpt, ckpt.length - 100));
        write(root, "checkpoint", "huge-conv-no-data", header("FOVEACKP",
                "{\"architecture\":{\"type\":\"Conv2d\",\"config\":{\"in\":4096,\"out\":4096,\"kernel\":[64,64],\"stride\":[1,1],\"padding\":[0,0],"
                        + "\"dilation\":[1,1],\"groups\":1,\"bias\":false}},\"tensors\":[]}"));

        write(root, "architecture", "small", Json.write(Architecture.describe(small)).getBytes(StandardCharsets.UTF_8));
        write(root, "architecture", "huge-linear", "{\"type\":\"Linear\",\"config\":{\"in\":40000,\"out\":40000,\"bias\":true}}".getBytes(StandardCharsets.UTF_8));
        write(root, "architecture", "deep", ("[".repeat(100) + "]".repeat(100)).getBytes(StandardCharsets.UTF_8));
        write(root, "architecture", "bad-config", "{\"type\":\"Conv2d\",\"config\":{\"in\":-1,\"out\":2,\"kernel\":[3],\"stride\":[1,1],\"padding\":\"same\",\"dilation\":[1,1],\"groups\":0,\"bias\":1}}"
                .getBytes(StandardCharsets.UTF_8));

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("conv.weight", Tensor.of(new float[] {1, -2, 3, 4.5f}, 2, 2));
        tensors.put("bias", Tensor.of(new float[] {0.25f}, 1));
        byte[] st = SafeTensors.encode(tensors, Map.of("format", "pt"));
        write(root, "safeTensors", "valid", st);
        write(root, "safeTensors", "truncated", Arrays.copyOf(st, st.length - 3));
        write(root, "safeTensors", "f16-i64", safetensors("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[4,12]}}", 12));
        write(root, "safeTensors", "claims-2^31-elements", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483648],\"data_offsets\":[0,8589934592]}}", 8));
        write(root, "safeTensors", "huge-header-length", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        try (var s = Files.list(tmp)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(tmp);
    }

    private static byte[] body(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        return Arrays.copyOf(b, b.length - 32);
    }

    /** Magic, version 1, the header, no data. */
    private static byte[] header(String magic, String json) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(20 + j.length).order(ByteOrder.LITTLE_ENDIAN)
                .put(magic.getBytes(StandardCharsets.US_ASCII)).putInt(1).putLong(j.length).put(j).array();
    }

    private static byte[] safetensors(String json, int dataBytes) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + j.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(j.length).put(j).array();
    }

    private static void write(Path root, String target, String name, byte[] bytes) throws IOException {
        Files.createDirectories(root.resolve(target));
        Files.write(root.resolve(target).resolve(name), bytes);
    }
}
