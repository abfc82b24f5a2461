package dev.fovea.cli;

import dev.fovea.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code fovea train} on CIFAR-format files and on a folder of images, with and without --augment. */
class DatasetOptionsTest {
    @TempDir
    Path dir;

    private static byte[] cifar10Records(int n, int salt) {
        byte[] b = new byte[n * 3073];
        for (int i = 0; i < n; i++) {
            b[i * 3073] = (byte) (i % 10);
            for (int k = 0; k < 3072; k++) b[i * 3073 + 1 + k] = (byte) (i * 31 + k * (1 + i % 10) + salt);
        }
        return b;
    }

    private Path cifar10() throws IOException {
        Path d = dir.resolve("cifar");
        Files.createDirectories(d);
        for (int i = 1; i <= 5; i++) Files.write(d.resolve("data_batch_" + i + ".bin"), cifar10Records(4, i));
        Files.write(d.resolve("test_batch.bin"), cifar10Records(6, 9));
        return d;
    }

    private static Cli ok(String... args) {
        Cli r = Cli.run(args);
        assertEquals(0, r.code(), r.out() + r.err());
        return r;
    }

    @Test
    void trainsOneEpochOnCifar10FilesWithAndWithoutAugmentation() throws Exception {
        Path data = cifar10(), plain = dir.resolve("plain.fovea"), aug = dir.resolve("aug.fovea");
        Cli r = ok("train", "--model", "lenet5_classic", "--dataset", "cifar10", "--data-dir", data.toString(), "--epochs", "1", "--batch", "8", "--out", plain.toString());
        assertTrue(r.out().contains("epoch 1/1"), r.out());
        Map<String, Object> meta = ModelFile.load(plain).metadata();
        assertEquals("cifar10", meta.get("dataset"));
        assertEquals(List.of(3L, 32L, 32L), meta.get("inputShape"));
        assertTrue(meta.get("mean") instanceof List<?> m && m.size() == 3, String.valueOf(meta.get("mean")));
        ok("train", "--model", "lenet5_classic", "--dataset", "cifar10", "--data-dir", data.toString(), "--epochs", "1", "--batch", "8",
                "--augment", "crop:4,flip,erase:0.5,pca-colour", "--out", aug.toString());
        // Augmentation repeats under the seed.
        Path again = dir.resolve("again.fovea");
        ok("train", "--model", "lenet5_classic", "--dataset", "cifar10", "--data-dir", data.toString(), "--epochs", "1", "--batch", "8",
                "--augment", "crop:4,flip,erase:0.5,pca-colour", "--out", again.toString());
        var w1 = ModelFile.load(aug).model().stateDict();
        var w2 = ModelFile.load(again).model().stateDict();
        for (String k : w1.keySet()) org.junit.jupiter.api.Assertions.assertArrayEquals(w1.get(k).toFloatArray(), w2.get(k).toFloatArray(), k);
    }

    @Test
    void trainsOneEpochOnAFolderOfImages() throws Exception {
        String[] classes = {"circle", "square"};
        for (String split : List.of("train", "test")) {
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < 3; i++) {
                    BufferedImage img = new BufferedImage(20 + i, 18, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, c == 0 ? 0xFF8800 + i : 0x0044FF);
                    Path f = dir.resolve("imgs").resolve(split).resolve(classes[c]).resolve(i + (c == 0 ? ".png" : ".jpg"));
                    Files.createDirectories(f.getParent());
                    ImageIO.write(img, c == 0 ? "png" : "jpg", f.toFile());
                }
            }
        }
        Path out = dir.resolve("folder.fovea");
        Cli r = ok("train", "--model", "lenet5_classic", "--dataset", "folder", "--data-dir", dir.resolve("imgs").toString(), "--image-size", "32",
                "--epochs", "1", "--batch", "4", "--augment", "flip,rotate:10,translate:2,brightness:0.1,contrast:0.2", "--out", out.toString());
        assertTrue(r.out().contains("epoch 1/1"), r.out());
        assertEquals(List.of("circle", "square"), ModelFile.load(out).metadata().get("classes"));

        // eval reads the folder again; predict normalises with the recorded per-channel statistics.
        Cli ev = ok("eval", out.toString(), "--data-dir", dir.resolve("imgs").toString());
        assertTrue(ev.out().contains("top-1 accuracy"), ev.out());
        Path image = dir.resolve("imgs").resolve("test").resolve("circle").resolve("0.png");
        Cli p = ok("predict", out.toString(), image.toString());
        var loaded = ModelFile.load(out);
        List<?> mean = (List<?>) loaded.metadata().get("mean"), std = (List<?>) loaded.metadata().get("std");
        float[] px = dev.fovea.data.ImageFile.read(image, 3, 32, 32);
        for (int c = 0; c < 3; c++) {
            double mu = ((Number) mean.get(c)).doubleValue(), sd = ((Number) std.get(c)).doubleValue();
            for (int i = c * 1024; i < (c + 1) * 1024; i++) px[i] = (float) ((px[i] - mu) / sd);
        }
        float[] prob = dev.fovea.tensor.Softmax.softmax(loaded.model().predict(dev.fovea.tensor.Tensor.of(px, 1, 3, 32, 32)), 1).toFloatArray();
        int best = prob[0] >= prob[1] ? 0 : 1;
        String expected = String.format("1. %-14s %6.2f%%", classes[best], 100 * prob[best]);
        assertTrue(p.out().contains(expected), "expected '" + expected + "' in:\n" + p.out());
    }

    @Test
    void mistakesAreOneLineMessages() throws Exception {
        Path data = cifar10();
        Cli r = Cli.run("train", "--dataset", "cifar10", "--data-dir", data.toString(), "--epochs", "1", "--augment", "crop:4,spin");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("option --augment: unknown augmentation 'spin'"), r.err());
        r = Cli.run("train", "--dataset", "cifar10", "--epochs", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("needs --data-dir"), r.err());
        r = Cli.run("train", "--dataset", "cifar10", "--data-dir", data.toString(), "--epochs", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("model lenet5 is built for [1, 28, 28]") && r.err().contains("resnet20"), r.err());
        Files.write(data.resolve("test_batch.bin"), new byte[100]);
        r = Cli.run("train", "--dataset", "cifar10", "--data-dir", data.toString(), "--epochs", "1");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("test_batch.bin: length 100"), r.err());
        r = Cli.run("train", "--dataset", "cifar10", "--data-dir", data.toString().replace("cifar", "nope"), "--epochs", "1");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("directory not found"), r.err());
        r = Cli.run("train", "--image-size", "16", "--epochs", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--image-size"), r.err());
    }
}
