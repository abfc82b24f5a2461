package dev.fovea.spark;

import dev.fovea.io.Checkpoint;
import dev.fovea.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code ./fovea train --master} and {@code ./fovea predict --master} run, end to end on a small slice. */
class CommandLineTest {
    @Test
    void trainSavesAModelAndACheckpointThenPredictWritesParquet(@TempDir Path dir) throws Exception {
        LocalSpark.stop();
        Path model = dir.resolve("small.fovea"), ckpt = dir.resolve("small.ckpt"), parquet = dir.resolve("predictions.parquet");
        String train = run("train", "--master", "local[2]", "--limit", "640", "--epochs", "1", "--batch", "64", "--log-every", "-1",
                "--checkpoint", ckpt.toString(), "--checkpoint-every", "4", "--out", model.toString());
        assertTrue(train.contains("Training lenet5 (61,706 parameters) on Spark (local[2], 2 partitions)"), train);
        assertTrue(train.contains("epoch 1/1  loss"), train);
        assertTrue(train.contains("Saved the model to " + model), train);
        ModelFile.Loaded loaded = ModelFile.load(model);
        assertEquals("lenet5", loaded.metadata().get("model"));
        assertEquals(List.of(1L, 28L, 28L), loaded.metadata().get("inputShape"));
        Checkpoint c = Checkpoint.load(ckpt);
        assertEquals(10L, ((Number) c.training().get("round")).longValue());

        String predict = run("predict", "--master", "local[2]", "--model", model.toString(), "--partitions", "2", "--limit", "500", "--top-k", "2",
                "--out", parquet.toString());
        assertTrue(predict.contains("Classified 500 images of Fashion-MNIST test"), predict);
        assertTrue(predict.contains("Accuracy against the label column"), predict);
        assertTrue(Files.isDirectory(parquet));
    }

    @Test
    void withoutAMasterItSaysHowToGiveOne() {
        LocalSpark.stop();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run("train", "--limit", "64"));
        assertTrue(e.getMessage().contains("--master local[2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> run("train", "--master", "local[2]", "--local-steps", "0"));
        assertThrows(IllegalArgumentException.class, () -> run("train", "--bogus"));
    }

    private static String run(String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            assertEquals(0, Main.run(args, out));
        }
        System.out.printf("fovea %s: %.1fs%n", args[0], (System.nanoTime() - t0) / 1e9);
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        return text;
    }
}
