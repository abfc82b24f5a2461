package dev.fovea.cli;

import dev.fovea.io.Checkpoint;
import dev.fovea.io.ModelFile;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash safety of checkpoints, with real processes: {@code fovea train} runs in its own JVM on a small image folder
 * with a checkpoint after every (short) epoch, and is killed with SIGKILL ({@link Process#destroyForcibly}) at
 * random moments, half of them the moment a temporary checkpoint file appears, that is while one is being written.
 * After every kill the checkpoint must load (the newest complete one: never torn, never older than the one seen
 * before) and the next process resumes from it with {@code --resume}; each chain of kills ends with a resumed run
 * that finishes, and its model must equal, bit for bit, the model of a run that was never interrupted.
 */
class KillAndResumeTest {
    private static final int KILLS = 24, EPOCHS = 12;

    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    void killedRunsResumeToTheWeightsOfAnUninterruptedRun() throws Exception {
        Path data = dataset(dir.resolve("data"));
        List<String> common = List.of("train", "--dataset", "folder", "--data-dir", data.toString(), "--image-size", "28",
                "--epochs", Integer.toString(EPOCHS), "--batch", "8", "--seed", "7", "--lr", "0.05");

        long t0 = System.nanoTime();
        Path refOut = dir.resolve("ref.fovea");
        finish(start(concat(common, "--checkpoint", dir.resolve("ref.ckpt").toString(), "--out", refOut.toString())));
        long runMillis = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Tensor> reference = ModelFile.load(refOut).model().stateDict();

        Random random = new Random(2024);
        int kills = 0, whileWriting = 0, chains = 0;
        while (kills < KILLS) {
            chains++;
            Path chain = Files.createDirectories(dir.resolve("chain" + chains));
            Path ck = chain.resolve("run.ckpt"), out = chain.resolve("run.fovea");
            long lastEpoch = 0;
            boolean finished = false;
            for (int inChain = 0; inChain < 8 && kills < KILLS && !finished; inChain++) {
                Process p = start(Files.exists(ck) ? List.of("train", "--resume", ck.toString())
                        : concat(common, "--checkpoint", ck.toString(), "--out", out.toString()));
                long strays = temporaryFiles(chain);
                boolean duringWrite = kills % 2 == 1;
                if (duringWrite) {
                    waitForTemporaryFile(chain, p, runMillis * 3);
                } else {
                    p.waitFor(200 + random.nextInt((int) Math.max(1, runMillis)), TimeUnit.MILLISECONDS);
                }
                if (!p.isAlive()) {
                    finished = true; // it completed before the kill came: the chain ends with its model
                    assertEquals(0, p.exitValue(), "a run that ended by itself must succeed");
                    break;
                }
                p.destroyForcibly().waitFor();
                kills++;
                if (temporaryFiles(chain) > strays) whileWriting++;
                if (Files.exists(ck)) {
                    long epoch = ((Number) Checkpoint.load(ck).training().get("epoch")).longValue(); // loads, or the test fails
                    assertTrue(epoch >= lastEpoch, "the checkpoint went back from epoch " + lastEpoch + " to " + epoch);
                    lastEpoch = epoch;
                }
            }
            if (!finished) finish(start(Files.exists(ck) ? List.of("train", "--resume", ck.toString())
                    : concat(common, "--checkpoint", ck.toString(), "--out", out.toString())));
            Map<String, Tensor> resumed = ModelFile.load(out).model().stateDict();
            assertEquals(reference.keySet(), resumed.keySet());
            for (String k : reference.keySet()) {
                assertArrayEquals(reference.get(k).toFloatArray(), resumed.get(k).toFloatArray(), "chain " + chains + ": " + k);
            }
        }
        assertTrue(kills >= KILLS);
        // Some kills must have landed inside a checkpoint write: the stray temporary file is the proof.
        assertTrue(whileWriting >= 1, "no kill hit a checkpoint being written (" + kills + " kills)");
        System.out.printf("kill test: %d kills in %d chains, %d while a checkpoint was being written; a whole run takes %d ms%n",
                kills, chains, whileWriting, runMillis);
    }

    /** Waits until a new temporary checkpoint file appears in {@code folder}, the process ends, or time runs out. */
    private static void waitForTemporaryFile(Path folder, Process p, long maxMillis) throws IOException {
        long end = System.nanoTime() + maxMillis * 1_000_000, before = temporaryFiles(folder);
        while (System.nanoTime() < end && p.isAlive()) {
            if (temporaryFiles(folder) > before) return;
            Thread.onSpinWait();
        }
    }

    /** Temporary files of atomic writes in {@code folder}: one per write in progress, or left by a kill during one. */
    private static long temporaryFiles(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".tmp")).count();
        }
    }

    private static Process start(List<String> args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Dfovea.threads=1", "-cp", cp, Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void finish(Process p) throws InterruptedException {
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "a training run did not finish");
        assertEquals(0, p.exitValue(), "fovea train failed");
    }

    /** Three classes of 12x12 colour images, 24 training and 6 test images each: enough for epochs of a few steps. */
    private static Path dataset(Path root) throws IOException {
        Random r = new Random(5);
        String[] classes = {"red", "green", "blue"};
        for (String split : new String[] {"train", "test"}) {
            for (int c = 0; c < 3; c++) {
                File d = Files.createDirectories(root.resolve(split).resolve(classes[c])).toFile();
                for (int i = 0; i < (split.equals("train") ? 8 : 2); i++) {
                    BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 12; y++) {
                        for (int x = 0; x < 12; x++) {
                            int[] rgb = {r.nextInt(96), r.nextInt(96), r.nextInt(96)};
                            rgb[c] += 120 + (x + y) * 4 % 30;
                            img.setRGB(x, y, rgb[0] << 16 | rgb[1] << 8 | rgb[2]);
                        }
                    }
                    ImageIO.write(img, "png", new File(d, i + ".png"));
                }
            }
        }
        return root;
    }

    private static List<String> concat(List<String> a, String... more) {
        List<String> l = new ArrayList<>(a);
        l.addAll(Arrays.asList(more));
        return l;
    }
}
