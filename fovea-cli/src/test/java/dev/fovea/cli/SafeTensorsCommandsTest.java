package dev.fovea.cli;

import dev.fovea.io.ModelFile;
import dev.fovea.io.SafeTensors;
import dev.fovea.models.LeNet5;
import dev.fovea.nn.Module;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsCommandsTest {
    @TempDir
    Path dir;

    private static int[] bits(Tensor t) {
        float[] f = t.toFloatArray();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
        return b;
    }

    @Test
    void exportThenImportGivesTheSameOutputsBitForBit() throws IOException {
        Module lenet = LeNet5.create(1, 10);
        lenet.eval();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", "lenet5");
        meta.put("dataset", "fashion-mnist");
        meta.put("classes", List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"));
        meta.put("inputShape", new int[] {1, 28, 28});
        meta.put("mean", 0.2860);
        meta.put("std", 0.3530);
        Path saved = dir.resolve("lenet5.fovea");
        ModelFile.save(saved, lenet, meta);

        Path st = dir.resolve("lenet5.safetensors");
        Cli e = Cli.run("export", saved.toString(), st.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("Wrote 10 tensors (61,706 numbers, float32)"), e.out());
        SafeTensors.Contents c = SafeTensors.read(st);
        assertEquals(lenet.stateDict().keySet(), c.tensors().keySet());
        assertEquals("lenet5", c.metadata().get("model"));
        assertEquals("10", c.metadata().get("num_classes"));

        Path back = dir.resolve("back.fovea");
        Cli i = Cli.run("import", st.toString(), back.toString()); // model, classes, shape from the metadata
        assertEquals(0, i.code(), i.err());
        assertTrue(i.out().contains("Loaded 10 of 10 tensors of lenet5 (1 input channels, 10 classes)"), i.out());
        ModelFile.Loaded l = ModelFile.load(back);
        assertEquals("lenet5", l.metadata().get("model"));
        assertEquals(10L, l.metadata().get("numClasses"));
        assertEquals(List.of(1L, 28L, 28L), l.metadata().get("inputShape"));
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), l.metadata().get("classes"));
        assertEquals(0.2860, (Double) l.metadata().get("mean"), 0);

        Tensor x = Tensor.randn(new Rng(5), 4, 1, 28, 28);
        assertArrayEquals(bits(lenet.forward(x)), bits(l.model().forward(x)));

        // The same file with the model named on the command line and no Fovea metadata used.
        Cli named = Cli.run("import", st.toString(), "--model", "lenet5", "--classes", "10", dir.resolve("named.fovea").toString());
        assertEquals(0, named.code(), named.err());
        assertArrayEquals(bits(lenet.forward(x)), bits(ModelFile.load(dir.resolve("named.fovea")).model().forward(x)));
    }

    private record Spec(String name, String dtype, int[] shape) {}

    /** The state dict of torchvision-style CIFAR ResNet-20 (option A shortcuts), written out from the paper's layout. */
    private static List<Spec> resnet20Names(int inChannels, int classes) {
        List<Spec> s = new ArrayList<>();
        s.add(new Spec("conv1.weight", "F32", new int[] {16, inChannels, 3, 3}));
        bn(s, "bn1", 16);
        int in = 16;
        int[] widths = {16, 32, 64};
        for (int stage = 0; stage < 3; stage++) {
            int out = widths[stage];
            for (int b = 0; b < 3; b++) {
                String p = "layer" + (stage + 1) + "." + b + ".";
                s.add(new Spec(p + "conv1.weight", "F32", new int[] {out, in, 3, 3}));
                bn(s, p + "bn1", out);
                s.add(new Spec(p + "conv2.weight", "F32", new int[] {out, out, 3, 3}));
                bn(s, p + "bn2", out);
                in = out;
            }
        }
        s.add(new Spec("fc.weight", "F32", new int[] {classes, 64}));
        s.add(new Spec("fc.bias", "F32", new int[] {classes}));
        return s;
    }

    private static void bn(List<Spec> s, String p, int c) {
        s.add(new Spec(p + ".weight", "F32", new int[] {c}));
        s.add(new Spec(p + ".bias", "F32", new int[] {c}));
        s.add(new Spec(p + ".running_mean", "F32", new int[] {c}));
        s.add(new Spec(p + ".running_var", "F32", new int[] {c}));
        s.add(new Spec(p + ".num_batches_tracked", "I64", new int[0])); // PyTorch: a long scalar
    }

    private static float value(int tensor, int i) {
        return ((tensor * 31 + i * 7) % 101) / 101f - 0.5f;
    }

    /** Writes the file as PyTorch's safetensors would: header, then each tensor's little-endian bytes. */
    private static Path handMade(Path p, List<Spec> specs) throws IOException {
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (int t = 0; t < specs.size(); t++) {
            Spec s = specs.get(t);
            int n = 1;
            for (int d : s.shape) n *= d;
            ByteBuffer b = ByteBuffer.allocate(n * (s.dtype.equals("I64") ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                if (s.dtype.equals("I64")) b.putLong(1000 + t);
                else b.putFloat(value(t, i));
            }
            long begin = data.size();
            data.write(b.array());
            h.append(",\"").append(s.name).append("\":{\"dtype\":\"").append(s.dtype).append("\",\"shape\":[");
            for (int d = 0; d < s.shape.length; d++) h.append(d > 0 ? "," : "").append(s.shape[d]);
            h.append("],\"data_offsets\":[").append(begin).append(',').append(data.size()).append("]}");
        }
        byte[] header = h.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length).put(header).put(data.toByteArray());
        Files.write(p, out.array());
        return p;
    }

    @Test
    void importsAHandMadeTorchvisionStyleResNet20() throws IOException {
        List<Spec> specs = resnet20Names(3, 7);
        Path st = handMade(dir.resolve("resnet20.safetensors"), specs);
        Path out = dir.resolve("r20.fovea");
        Cli r = Cli.run("import", st.toString(), "--model", "resnet20", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("(3 input channels, 7 classes)"), r.out()); // the class count read from fc.bias
        ModelFile.Loaded l = ModelFile.load(out);
        Map<String, Tensor> state = l.model().stateDict();
        assertEquals(specs.size(), state.size());
        for (int t = 0; t < specs.size(); t++) {
            Spec s = specs.get(t);
            Tensor got = state.get(s.name);
            assertTrue(got != null, s.name);
            float[] v = got.toFloatArray();
            if (s.dtype.equals("I64")) {
                assertArrayEquals(new int[] {1}, got.shape(), s.name);
                assertEquals(1000 + t, v[0], 0, s.name);
            } else {
                assertArrayEquals(s.shape, got.shape(), s.name);
                for (int i = 0; i < v.length; i++) assertEquals(value(t, i), v[i], 0, s.name + "[" + i + "]");
            }
        }
        assertEquals(List.of(3L, 32L, 32L), l.metadata().get("inputShape"));
        assertEquals(7L, l.metadata().get("numClasses"));
        assertArrayEquals(new int[] {2, 7}, l.model().forward(Tensor.randn(new Rng(1), 2, 3, 32, 32)).shape());
    }

    @Test
    void strictImportListsMissingAndUnexpectedNames() throws IOException {
        List<Spec> specs = resnet20Names(3, 10);
        specs.removeIf(s -> s.name.equals("layer2.1.bn2.running_var"));
        specs.add(new Spec("layer3.0.downsample.0.weight", "F32", new int[] {64, 32, 1, 1}));
        Path st = handMade(dir.resolve("odd.safetensors"), specs);
        Cli r = Cli.run("import", st.toString(), "--model", "resnet20", dir.resolve("x.fovea").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing from the file: layer2.1.bn2.running_var"), r.err());
        assertTrue(r.err().contains("not in the model: layer3.0.downsample.0.weight"), r.err());
        assertTrue(r.err().contains("--non-strict"), r.err());
        assertFalse(Files.exists(dir.resolve("x.fovea")));

        Cli lax = Cli.run("import", st.toString(), "--model", "resnet20", "--non-strict", dir.resolve("x.fovea").toString());
        assertEquals(0, lax.code(), lax.err());
        assertTrue(lax.out().contains("Loaded 115 of 116 tensors") && lax.out().contains("(1 missing, 1 ignored)"), lax.out());
    }

    @Test
    void shapeMismatchesAreRefusedEvenWhenNotStrict() throws IOException {
        Path st = handMade(dir.resolve("r.safetensors"), resnet20Names(3, 7));
        for (String[] extra : new String[][] {{}, {"--non-strict"}}) {
            List<String> args = new ArrayList<>(List.of("import", st.toString(), "--model", "resnet20", "--classes", "10"));
            args.addAll(List.of(extra));
            args.add(dir.resolve("m.fovea").toString());
            Cli r = Cli.run(args.toArray(String[]::new));
            assertEquals(1, r.code());
            assertTrue(r.err().contains("shape mismatch: fc.weight [7, 64] in the file, [10, 64] in resnet20, fc.bias [7] in the file, [10] in resnet20"), r.err());
        }
        // A LeNet-5 file given to the wrong model.
        Path lenet = dir.resolve("l.safetensors");
        assertEquals(0, Cli.run("export", "lenet5", lenet.toString()).code());
        Cli r = Cli.run("import", lenet.toString(), "--model", "resnet20", dir.resolve("m.fovea").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing from the file: conv1.weight") && r.err().contains("not in the model: 0.weight"), r.err());
    }

    @Test
    void unknownModelsAndBadFilesGetOneLine() throws IOException {
        Path st = handMade(dir.resolve("r.safetensors"), resnet20Names(3, 10));
        Cli r = Cli.run("import", st.toString(), "--model", "resnet21", dir.resolve("m.fovea").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("fovea import: error: unknown model 'resnet21' (did you mean 'resnet20'?)"), r.err());
        Cli noModel = Cli.run("import", st.toString(), dir.resolve("m.fovea").toString());
        assertEquals(2, noModel.code());
        assertTrue(noModel.err().contains("--model NAME is needed"), noModel.err());
        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        Cli bad = Cli.run("import", junk.toString(), "--model", "lenet5", dir.resolve("m.fovea").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("junk.safetensors: header length 255 does not fit a file of 10 bytes"), bad.err());
        Cli missing = Cli.run("export", "nosuchmodel", dir.resolve("o.safetensors").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("neither a model file nor a model name"), missing.err());
        assertTrue(Cli.run("--help").out().contains("export"));
    }
}
