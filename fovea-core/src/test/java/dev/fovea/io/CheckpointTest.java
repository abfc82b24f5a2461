package dev.fovea.io;

import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import dev.fovea.optim.Adam;
import dev.fovea.optim.Optimizer;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    @TempDir
    Path dir;

    private static Module model() {
        Rng.manualSeed(11);
        return new Sequential(new Conv2d(1, 3, 3), new BatchNorm2d(3), new ReLU(), new Flatten(), new Linear(3 * 4 * 4, 4));
    }

    /** A model and an Adam that have taken three steps, so weights, running statistics and moments are all non-trivial. */
    private static Checkpoint trained() {
        Module m = model();
        Adam adam = new Adam(m.parameters(), 0.01, 0.9, 0.999, 1e-8, 0, true);
        Rng data = new Rng(5);
        for (int i = 0; i < 3; i++) {
            Tensor x = Tensor.randn(data, 8, 1, 6, 6);
            adam.zeroGrad();
            new CrossEntropyLoss().forward(m.call(x), new int[] {0, 1, 2, 3, 0, 1, 2, 3}).backward();
            adam.step();
        }
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("epoch", 3L);
        training.put("history", List.of(Map.of("epoch", 1L)));
        Map<String, Tensor> extra = new LinkedHashMap<>();
        extra.put("best/4.bias", Tensor.of(new float[] {1, 2, 3, 4}, 4));
        extra.put("precise", Tensor.of(new double[] {Math.PI, -Math.E}, 2));
        return new Checkpoint(m, adam.exportState(), training, extra, Map.of("dataset", "fashion-mnist"));
    }

    @Test
    void roundTripIsBitExact() throws Exception {
        Checkpoint c = trained();
        Path f = dir.resolve("run.ckpt");
        c.save(f);
        Checkpoint back = Checkpoint.load(f);
        Map<String, Tensor> want = c.model().stateDict(), got = back.model().stateDict();
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) assertArrayEquals(want.get(k).toFloatArray(), got.get(k).toFloatArray(), k);
        Optimizer.State s = back.optimizer();
        assertEquals("adam", s.type());
        assertEquals(c.optimizer().tensors().keySet(), s.tensors().keySet());
        for (var e : c.optimizer().tensors().entrySet()) assertArrayEquals(e.getValue().toFloatArray(), s.tensors().get(e.getKey()).toFloatArray());
        assertEquals(List.of(3L, 3L, 3L, 3L, 3L, 3L), s.info().get("steps"));
        assertEquals(3L, back.training().get("epoch"));
        assertEquals(List.of(Map.of("epoch", 1L)), back.training().get("history"));
        assertEquals("fashion-mnist", back.metadata().get("dataset"));
        assertArrayEquals(new float[] {1, 2, 3, 4}, back.tensors().get("best/4.bias").toFloatArray());
        assertArrayEquals(new double[] {Math.PI, -Math.E}, back.tensors().get("precise").toDoubleArray());
        // The loaded optimizer state drives an optimizer over the loaded model.
        Adam resumed = new Adam(back.model().parameters(), 0.01, 0.9, 0.999, 1e-8, 0, true);
        resumed.importState(s);
        // Saving again writes the same bytes.
        Path g = dir.resolve("again.ckpt");
        new Checkpoint(back.model(), back.optimizer(), back.training(), back.tensors(), back.metadata()).save(g);
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g));
        // No temporary files are left behind.
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count());
        }
    }

    @Test
    void truncatedOrAlteredCheckpointsAreRefused() throws Exception {
        Path f = dir.resolve("run.ckpt");
        trained().save(f);
        byte[] bytes = Files.readAllBytes(f);

        Path truncated = dir.resolve("truncated.ckpt");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 100));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Checkpoint.load(truncated));
        assertTrue(e.getMessage().contains("truncated.ckpt: checksum mismatch: the checkpoint is truncated or was altered"), e.getMessage());

        Path altered = dir.resolve("altered.ckpt");
        byte[] changed = bytes.clone();
        changed[changed.length / 2] ^= 0x10;
        Files.write(altered, changed);
        e = assertThrows(ModelFormatException.class, () -> Checkpoint.load(altered));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());

        Path tiny = dir.resolve("tiny.ckpt");
        Files.write(tiny, Arrays.copyOf(bytes, 10));
        e = assertThrows(ModelFormatException.class, () -> Checkpoint.load(tiny));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path other = dir.resolve("other.bin");
        Files.writeString(other, "x".repeat(100));
        e = assertThrows(ModelFormatException.class, () -> Checkpoint.load(other));
        assertTrue(e.getMessage().contains("not a Fovea checkpoint"), e.getMessage());

        Path modelFile = dir.resolve("model.fovea");
        ModelFile.save(modelFile, model(), Map.of());
        e = assertThrows(ModelFormatException.class, () -> Checkpoint.load(modelFile));
        assertTrue(e.getMessage().contains("a Fovea model file, not a checkpoint"), e.getMessage());

        assertThrows(java.nio.file.NoSuchFileException.class, () -> Checkpoint.load(dir.resolve("missing.ckpt")));
    }

    @Test
    void savingOverAnOldCheckpointReplacesIt() throws Exception {
        Path f = dir.resolve("run.ckpt");
        trained().save(f);
        Module m = model();
        new Checkpoint(m, null, Map.of("epoch", 1L), null, null).save(f);
        Checkpoint back = Checkpoint.load(f);
        assertEquals(1L, back.training().get("epoch"));
        assertEquals(null, back.optimizer());
        assertNotNull(back.model());
        assertFalse(back.model().isTraining());
    }
}
