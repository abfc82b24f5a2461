package dev.fovea.io;

import dev.fovea.nn.AvgPool2d;
import dev.fovea.nn.BatchNorm1d;
import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.ELU;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.GlobalAvgPool2d;
import dev.fovea.nn.LeakyReLU;
import dev.fovea.nn.Linear;
import dev.fovea.nn.LogSoftmax;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import dev.fovea.nn.Sigmoid;
import dev.fovea.nn.Softmax;
import dev.fovea.nn.Tanh;
import dev.fovea.tensor.Autograd;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Saving and loading model files, and refusing every kind of broken file. */
class ModelFileTest {

    @TempDir
    Path dir;

    private static final int[] ONE = {1, 1};

    /** Every registered layer type, in an order whose shapes chain for 3 x 12 x 12 inputs. */
    private static Sequential everyLayer() {
        return everyLayer(77);
    }

    private static Sequential everyLayer(long seed) {
        Rng.manualSeed(seed);
        return new Sequential(
                new Conv2d(3, 8, 3, 1, 1),                                                     // 8 x 12 x 12
                new BatchNorm2d(8),
                new ReLU(),
                new Conv2d(8, 8, 4, 1, "same"),                                                // even kernel, "same"
                new LeakyReLU(0.1),
                new MaxPool2d(3, 2, 1, true),                                                  // overlapping, ceil mode
                new Conv2d(8, 16, new int[] {1, 3}, ONE, new int[] {0, 1}, ONE, 2, false),     // grouped 1x3, no bias
                new ELU(0.5),
                new AvgPool2d(new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1}, true, false),
                new Sequential(                                                                // nested container
                        new Conv2d(16, 16, new int[] {3, 3}, ONE, "same", new int[] {2, 2}, 16, true), // depthwise, dilated
                        new BatchNorm2d(16, 1e-3, 0.2, true)),
                new Tanh(),
                new GlobalAvgPool2d(),                                                         // 16 x 1 x 1
                new Flatten(),                                                                 // 16
                new Dropout(0.25),
                new Linear(16, 12),
                new BatchNorm1d(12),
                new Sigmoid(),
                new Linear(12, 6, false),
                new Softmax(),
                new Linear(6, 5),
                new LogSoftmax());
    }

    private static Tensor input(long seed, int n) {
        return Tensor.randn(new Rng(seed), n, 3, 12, 12);
    }

    private static float[] eval(Module m, Tensor x) {
        m.eval();
        try (var g = Autograd.noGrad()) {
            return m.forward(x).toFloatArray();
        }
    }

    private Path saved(Module m, Map<String, Object> metadata) throws IOException {
        Path p = dir.resolve("model.fovea");
        ModelFile.save(p, m, metadata);
        return p;
    }

    private static void assertSameState(Module expected, Module actual) {
        Map<String, Tensor> a = expected.stateDict(), b = actual.stateDict();
        assertEquals(new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()));
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).shape(), b.get(k).shape(), k);
            assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
        }
    }

    @Test
    void everyLayerTypeRoundTripsBitForBit() throws IOException {
        Sequential model = everyLayer();
        // A few training-mode passes move the batch-norm buffers away from their initial values.
        model.train();
        try (var g = Autograd.noGrad()) {
            for (int i = 0; i < 3; i++) model.forward(input(10 + i, 4));
        }
        assertEquals(3.0, model.stateDict().get("1.num_batches_tracked").get(0));
        assertNotEquals(0.0, model.stateDict().get("9.1.running_mean").get(0));

        Tensor x = input(20, 3);
        float[] before = eval(model, x);
        assertArrayEquals(new int[] {3, 5}, model.predict(x).shape());
        for (float v : before) assertTrue(Float.isFinite(v));
        // The output depends on the input (examples differ), so equal outputs below mean something.
        assertFalse(Arrays.equals(Arrays.copyOfRange(before, 0, 5), Arrays.copyOfRange(before, 5, 10)));

        ModelFile.Loaded loaded = ModelFile.load(saved(model, null));
        Module back = loaded.model();
        assertInstanceOf(Sequential.class, back);
        assertEquals(model.toString(), back.toString());
        assertSameState(model, back);
        assertEquals(3.0, back.stateDict().get("1.num_batches_tracked").get(0));
        assertEquals(3.0, back.stateDict().get("15.num_batches_tracked").get(0));
        assertEquals(Map.of(), loaded.metadata());
        // Loaded models come back ready for inference.
        for (var e : back.namedModules().entrySet()) assertFalse(e.getValue().isTraining(), e.getKey());
        assertArrayEquals(before, eval(back, x));
        // And they still train: parameters require gradients.
        for (Tensor p : back.parameters()) assertTrue(p.requiresGrad());
    }

    @Test
    void aFreshModelWouldNotPassForTheSavedOne() throws IOException {
        // Guards the round trip test: a model rebuilt from the architecture alone computes something else.
        Sequential model = everyLayer();
        Tensor x = input(21, 2);
        float[] before = eval(model, x);
        assertFalse(Arrays.equals(before, eval(everyLayer(78), x)));
        assertArrayEquals(before, eval(ModelFile.load(saved(model, Map.of())).model(), x));
    }

    @Test
    void metadataRoundTrips() throws IOException {
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("classes", List.of("cat", "dog", "\u00e9l\u00e9phant \"big\""));
        md.put("inputShape", new int[] {3, 12, 12});
        md.put("mean", List.of(0.485, 0.456, 0.406));
        md.put("epochs", 30);
        md.put("pretrained", false);
        md.put("notes", null);
        md.put("nested", Map.of("k", List.of(1, 2)));
        ModelFile.Loaded l = ModelFile.load(saved(new Sequential(new Linear(2, 2)), md));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("classes", List.of("cat", "dog", "\u00e9l\u00e9phant \"big\""));
        expected.put("inputShape", List.of(3L, 12L, 12L));
        expected.put("mean", List.of(0.485, 0.456, 0.406));
        expected.put("epochs", 30L);
        expected.put("pretrained", false);
        expected.put("notes", null);
        expected.put("nested", Map.of("k", List.of(1L, 2L)));
        assertEquals(expected, l.metadata());
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(l.metadata().keySet()));
    }

    @Test
    void loadingLeavesTheGlobalRandomStreamAlone() throws IOException {
        Path p = saved(everyLayer(), null);
        Rng.manualSeed(99);
        double a = Rng.global().nextDouble(), a2 = Rng.global().nextGaussian();
        Rng.manualSeed(99);
        ModelFile.load(p);
        assertEquals(a, Rng.global().nextDouble());
        assertEquals(a2, Rng.global().nextGaussian());
        // Control: building layers does draw from the stream, so the check above can fail.
        Rng.manualSeed(99);
        new Linear(3, 3);
        assertNotEquals(a, Rng.global().nextDouble());
    }

    @Test
    void savingReplacesTheFileAndLeavesNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("net.fovea");
        Files.writeString(p, "an older file that is not a model");
        Rng.manualSeed(3);
        Sequential first = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        ModelFile.save(p, first, Map.of("v", 1));
        Rng.manualSeed(4);
        Sequential second = new Sequential(new Linear(4, 3), new Tanh(), new Linear(3, 2));
        ModelFile.save(p, second, Map.of("v", 2));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p.getFileName().toString()), files.map(f -> f.getFileName().toString()).toList());
        }
        ModelFile.Loaded l = ModelFile.load(p);
        assertEquals(Map.of("v", 2L), l.metadata());
        assertSameState(second, l.model());
        assertInstanceOf(Tanh.class, ((Sequential) l.model()).get(1));

        // Into a folder that does not exist yet.
        Path deep = dir.resolve("a/b/c.fovea");
        ModelFile.save(deep, first, null);
        assertSameState(first, ModelFile.load(deep).model());
    }

    @Test
    void unregisteredTypesCannotBeSaved() {
        Module custom = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        };
        Path p = dir.resolve("custom.fovea");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.save(p, new Sequential(new ReLU(), custom), null));
        assertTrue(e.getMessage().contains("not registered"), e.getMessage());
        assertFalse(Files.exists(p));
    }

    @Test
    void missingFile() {
        assertThrows(NoSuchFileException.class, () -> ModelFile.load(dir.resolve("nothing-here.fovea")));
    }

    // ---------------------------------------------------------------- damaged files

    private static ModelFormatException refused(Path p, String... inMessage) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.load(p));
        assertTrue(e.getMessage().contains(p.getFileName().toString()), "message does not name the file: " + e.getMessage());
        for (String s : inMessage) assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
        return e;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 12, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void truncatedFilesAreRefused() throws IOException {
        byte[] good = Files.readAllBytes(saved(everyLayer(), Map.of("a", 1)));
        int h = (int) headerLength(good);
        int[] cuts = {0, 7, 8, 19, 20, 51, 52, 100, 20 + h, good.length / 2, good.length - 33, good.length - 32, good.length - 1};
        for (int cut : cuts) {
            Path p = write("cut" + cut + ".fovea", Arrays.copyOf(good, cut));
            refused(p, "truncated");
        }
        // Extra bytes at the end are no better.
        byte[] longer = Arrays.copyOf(good, good.length + 5);
        refused(write("longer.fovea", longer), "checksum");
    }

    @Test
    void anySingleAlteredByteIsRefused() throws IOException {
        byte[] good = Files.readAllBytes(saved(everyLayer(), Map.of("a", 1)));
        int h = (int) headerLength(good);
        int dataStart = 20 + h, digestStart = good.length - 32;
        assertTrue(digestStart - dataStart > 1000, "the test model should have a sizeable data section");
        int[] positions = {3, 8, 11, 12, 19, 20, 25, 20 + h / 2, dataStart - 1, dataStart, (dataStart + digestStart) / 2, digestStart - 1, digestStart, good.length - 1};
        for (int pos : positions) {
            for (int mask : new int[] {0x01, 0x80}) {
                byte[] bad = good.clone();
                bad[pos] ^= (byte) mask;
                Path p = write("flip" + pos + "_" + mask + ".fovea", bad);
                ModelFormatException e = refused(p);
                String expected = pos < 8 ? "FOVEAMDL" : "checksum";
                assertTrue(e.getMessage().contains(expected), "byte " + pos + ": " + e.getMessage());
            }
        }
        // The unaltered file still loads, so the refusals above are about the flipped bytes.
        ModelFile.load(write("good.fovea", good));
    }

    // ---------------------------------------------------------------- hand-made files

    private static byte[] sha256(byte[] data, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, 0, length);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** magic, version (u32 LE), header length (u64 LE), header, data, SHA-256 of all before. */
    private static byte[] handMade(byte[] magic, int version, long declaredHeaderLength, String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int body = 8 + 4 + 8 + h.length + data.length;
        ByteBuffer b = ByteBuffer.allocate(body + 32).order(ByteOrder.LITTLE_ENDIAN);
        b.put(magic).putInt(version).putLong(declaredHeaderLength).put(h).put(data);
        b.put(sha256(b.array(), body));
        return b.array();
    }

    private static byte[] handMade(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return handMade("FOVEAMDL".getBytes(StandardCharsets.US_ASCII), 1, h.length, header, data);
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    private static final String LINEAR_2_1 = "{\"type\":\"Sequential\",\"children\":[{\"type\":\"Linear\",\"config\":{\"in\":2,\"out\":1,\"bias\":true}}]}";

    private static String header(String architecture, String weightShape) {
        return "{\"architecture\":" + architecture + ",\"tensors\":["
                + "{\"name\":\"0.weight\",\"dtype\":\"float32\",\"shape\":" + weightShape + ",\"offset\":0,\"length\":8},"
                + "{\"name\":\"0.bias\",\"dtype\":\"float32\",\"shape\":[1],\"offset\":8,\"length\":4}],"
                + "\"metadata\":{\"by\":\"hand\"}}";
    }

    @Test
    void aHandMadeFileLoads() throws IOException {
        // The control for the refusals below: the same construction with nothing wrong is accepted.
        ModelFile.Loaded l = ModelFile.load(write("hand.fovea", handMade(header(LINEAR_2_1, "[1,2]"), floats(0.5f, -2f, 0.25f))));
        assertEquals(Map.of("by", "hand"), l.metadata());
        assertArrayEquals(new float[] {0.5f, -2f}, l.model().stateDict().get("0.weight").toFloatArray());
        assertArrayEquals(new float[] {0.25f}, l.model().stateDict().get("0.bias").toFloatArray());
        assertArrayEquals(new float[] {-1.25f}, l.model().predict(Tensor.of(new float[] {1, 1}, 1, 2)).toFloatArray());
    }

    @Test
    void unknownLayerTypeIsRefusedEvenWithAValidChecksum() throws IOException {
        String arch = "{\"type\":\"Sequential\",\"children\":[{\"type\":\"Linear\",\"config\":{\"in\":2,\"out\":1,\"bias\":true}},"
                + "{\"type\":\"Mystery\",\"config\":{\"command\":\"rm -rf /\"}}]}";
        refused(write("mystery.fovea", handMade(header(arch, "[1,2]"), floats(0.5f, -2f, 0.25f))), "unknown layer type \"Mystery\"");
        // A known type with a bad config is refused the same way, naming the layer.
        String badConfig = "{\"type\":\"Sequential\",\"children\":[{\"type\":\"Linear\",\"config\":{\"in\":2,\"out\":\"one\",\"bias\":true}}]}";
        refused(write("badconfig.fovea", handMade(header(badConfig, "[1,2]"), floats(0.5f, -2f, 0.25f))), "Linear", "\"out\"");
        String invalid = "{\"type\":\"Sequential\",\"children\":[{\"type\":\"Dropout\",\"config\":{\"p\":1.5}}]}";
        refused(write("invalid.fovea", handMade("{\"architecture\":" + invalid + ",\"tensors\":[],\"metadata\":{}}", new byte[0])), "Dropout");
    }

    @Test
    void tensorShapeMismatchIsRefused() throws IOException {
        // Same element count, other shape: the lengths agree but the shape does not.
        refused(write("shape.fovea", handMade(header(LINEAR_2_1, "[2,1]"), floats(0.5f, -2f, 0.25f))), "0.weight", "shape", "[1, 2]");
        refused(write("shape3.fovea", handMade(header(LINEAR_2_1, "[1,2,1]"), floats(0.5f, -2f, 0.25f))), "0.weight", "shape");
    }

    @Test
    void unexplainedTrailingDataIsRefused() throws IOException {
        refused(write("trailing.fovea", handMade(header(LINEAR_2_1, "[1,2]"), floats(0.5f, -2f, 0.25f, 9f))), "unexplained");
    }

    @Test
    void otherInconsistentHeadersAreRefused() throws IOException {
        byte[] data = floats(0.5f, -2f, 0.25f);
        String good = header(LINEAR_2_1, "[1,2]");
        // Too little data for the tensors.
        refused(write("short.fovea", handMade(good, floats(0.5f, -2f))), "0.bias");
        // Another format version.
        byte[] h = good.getBytes(StandardCharsets.UTF_8);
        refused(write("v2.fovea", handMade("FOVEAMDL".getBytes(StandardCharsets.US_ASCII), 2, h.length, good, data)), "version 2");
        // A header length that overruns the file, or is absurd.
        refused(write("hlen.fovea", handMade("FOVEAMDL".getBytes(StandardCharsets.US_ASCII), 1, h.length + 1000, good, data)), "header length");
        refused(write("hneg.fovea", handMade("FOVEAMDL".getBytes(StandardCharsets.US_ASCII), 1, -5, good, data)), "header length");
        // A header that is not JSON, or lacks the tensor list.
        refused(write("notjson.fovea", handMade("{\"architecture\": nope}", data)), "bad header");
        refused(write("notensors.fovea", handMade("{\"architecture\":" + LINEAR_2_1 + "}", data)), "tensors");
        // A tensor the architecture does not have, a missing one, another dtype.
        refused(write("extra.fovea", handMade(good.replace("0.bias", "0.gain"), data)), "0.gain");
        String oneTensor = "{\"architecture\":" + LINEAR_2_1 + ",\"tensors\":[{\"name\":\"0.weight\",\"dtype\":\"float32\",\"shape\":[1,2],\"offset\":0,\"length\":8}]}";
        refused(write("missing.fovea", handMade(oneTensor, floats(0.5f, -2f))), "1 tensors stored");
        refused(write("dtype.fovea", handMade(good.replaceFirst("float32", "float64"), data)), "dtype");
        // Offsets that overlap.
        refused(write("offset.fovea", handMade(good.replace("\"offset\":8", "\"offset\":4"), data)), "offset");
    }

    @Test
    void aTensorStoredTwiceIsRefused() throws IOException {
        String arch = "{\"type\":\"Sequential\",\"children\":[{\"type\":\"Linear\",\"config\":{\"in\":2,\"out\":2,\"bias\":false}},"
                + "{\"type\":\"Linear\",\"config\":{\"in\":2,\"out\":2,\"bias\":false}}]}";
        String twice = "{\"architecture\":" + arch + ",\"tensors\":["
                + "{\"name\":\"0.weight\",\"dtype\":\"float32\",\"shape\":[2,2],\"offset\":0,\"length\":16},"
                + "{\"name\":\"0.weight\",\"dtype\":\"float32\",\"shape\":[2,2],\"offset\":16,\"length\":16}]}";
        byte[] data = floats(1, 2, 3, 4, 5, 6, 7, 8);
        refused(write("twice.fovea", handMade(twice, data)), "0.weight");
        // Control: with the second name right, it loads.
        ModelFile.Loaded l = ModelFile.load(write("once.fovea", handMade(twice.replaceFirst("(?s)(.*)0\\.weight", "$11.weight"), data)));
        assertArrayEquals(new float[] {5, 6, 7, 8}, l.model().stateDict().get("1.weight").toFloatArray());
    }

    @Test
    void wrongMagicIsRefused() throws IOException {
        byte[] good = Files.readAllBytes(saved(new Sequential(new Linear(2, 2)), null));
        // Wrong magic with an otherwise consistent file, checksum recomputed.
        byte[] other = good.clone();
        other[7] = 'X';
        System.arraycopy(sha256(other, other.length - 32), 0, other, other.length - 32, 32);
        refused(write("magic.fovea", other), "FOVEAMDL");
        refused(write("text.fovea", "This is a plain text file that happens to be longer than fifty-two bytes.".getBytes(StandardCharsets.US_ASCII)), "FOVEAMDL");
        refused(write("png.fovea", Arrays.copyOf(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 200)), "not a Fovea model file");
    }
}
