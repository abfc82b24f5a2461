package dev.fovea.cli;

import dev.fovea.data.Batch;
import dev.fovea.data.DataLoader;
import dev.fovea.data.FashionMnist;
import dev.fovea.data.ImageClassification;
import dev.fovea.io.ModelFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trains a small LeNet-5 on real Fashion-MNIST through the command line, then evaluates, predicts and summarises
 * with the saved file. The test command installs the dataset; without it these tests fail saying how to get it.
 */
class EndToEndTest {
    @TempDir
    static Path dir;
    static Path model;
    static Cli trained;

    @BeforeAll
    static void train() {
        model = dir.resolve("small.fovea");
        trained = Cli.run("train", "--limit", "12000", "--epochs", "2", "--seed", "7", "--out", model.toString());
        assertEquals(0, trained.code(), trained.err());
    }

    @Test
    void trainingLearnsAndSaves() throws Exception {
        assertTrue(trained.out().contains("epoch 2/2"), trained.out());
        Matcher m = Pattern.compile("Test accuracy (\\d+\\.\\d+)%").matcher(trained.out());
        assertTrue(m.find(), trained.out());
        double acc = Double.parseDouble(m.group(1));
        assertTrue(acc > 80, "a LeNet-5 trained on 12,000 images for 2 epochs should exceed 80%, got " + acc);
        var loaded = ModelFile.load(model);
        assertEquals(acc / 100, ((Number) loaded.metadata().get("testAccuracy")).doubleValue(), 1e-4);
    }

    @Test
    void evalPrintsAccuracyAndConfusionMatrix() {
        Cli r = Cli.run("eval", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("accuracy"), r.out());
        assertTrue(r.out().contains("Ankle boot"), r.out());
        assertEquals(10, r.out().lines().filter(l -> l.matches("\\s+\\S.*\\d+\\.\\d+% +(\\s+\\d+){10}")).count(), r.out());
    }

    @Test
    void predictGivesTopThreeForAPng() throws Exception {
        ImageClassification test = FashionMnist.test();
        Batch b = new DataLoader(test, 1, false, 0).prefetch(false).iterator().next();
        float[] px = b.images().toFloatArray();
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = (int) Math.round((px[y * 28 + x] * FashionMnist.STD + FashionMnist.MEAN) * 255);
                v = Math.max(0, Math.min(255, v));
                img.getRaster().setSample(x, y, 0, v);
            }
        }
        Path png = dir.resolve("item.png");
        ImageIO.write(img, "png", png.toFile());
        Cli r = Cli.run("predict", model.toString(), png.toString());
        assertEquals(0, r.code(), r.err());
        long ranks = r.out().lines().filter(l -> l.matches("\\s+[123]\\. .*%")).count();
        assertEquals(3, ranks, r.out());
        String first = r.out().lines().filter(l -> l.strip().startsWith("1.")).findFirst().orElseThrow();
        String truth = test.classNames().get(b.labels()[0]);
        assertTrue(first.contains(truth), "test image 0 is a " + truth + "; the model said: " + r.out());
    }

    @Test
    void predictRefusesANonImage() throws Exception {
        Path bogus = dir.resolve("notes.png");
        Files.writeString(bogus, "not an image");
        Cli r = Cli.run("predict", model.toString(), bogus.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("notes.png") && r.err().contains("not a PNG or JPEG"), r.err());
    }

    @Test
    void summaryOfASavedModel() {
        Cli r = Cli.run("summary", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Total params: 61,706"), r.out());
    }

    @Test
    void sameSeedGivesBitIdenticalModels() throws Exception {
        Path a = dir.resolve("a.fovea"), b = dir.resolve("b.fovea"), c = dir.resolve("c.fovea");
        assertEquals(0, Cli.run("train", "--limit", "1500", "--epochs", "1", "--seed", "3", "--out", a.toString()).code());
        assertEquals(0, Cli.run("train", "--limit", "1500", "--epochs", "1", "--seed", "3", "--out", b.toString()).code());
        assertEquals(0, Cli.run("train", "--limit", "1500", "--epochs", "1", "--seed", "4", "--out", c.toString()).code());
        var sa = ModelFile.load(a).model().stateDict();
        var sb = ModelFile.load(b).model().stateDict();
        var sc = ModelFile.load(c).model().stateDict();
        for (String k : sa.keySet()) {
            assertTrue(java.util.Arrays.equals(sa.get(k).toFloatArray(), sb.get(k).toFloatArray()), "same seed, different " + k);
        }
        assertTrue(!java.util.Arrays.equals(sa.get("0.weight").toFloatArray(), sc.get("0.weight").toFloatArray()), "another seed should give other weights");
    }

    @Test
    void profileReportsTimePerLayerAndOperation() {
        Cli r = Cli.run("train", "--limit", "500", "--epochs", "1", "--profile", "--out", dir.resolve("profiled.fovea").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Time by operation"), r.out());
        for (String op : new String[] {"forward Conv2d", "backward conv2d", "forward MaxPool2d", "backward linear"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(op + " ")), op + " missing from:\n" + r.out());
        }
    }

    @Test
    void alteredModelFileIsRefused() throws Exception {
        Path bad = dir.resolve("altered.fovea");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length / 2] ^= 1;
        Files.write(bad, bytes);
        Cli r = Cli.run("eval", bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("checksum mismatch"), r.err());
    }
}
