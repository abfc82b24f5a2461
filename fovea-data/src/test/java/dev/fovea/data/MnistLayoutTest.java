package dev.fovea.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.fovea.data.IdxFileTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fashion-MNIST and MNIST over small fake files in the standard layout. */
class MnistLayoutTest {
    private static final String APT = "run: sudo apt-get install -y dataset-fashion-mnist "
            + "(or set FOVEA_FASHION_MNIST to a folder holding the four IDX files)";

    @TempDir
    Path dir;

    @Test
    void readsRawAndGzipVariants() {
        IdxBytes.writeSplit(dir, "train", 30, 4, 4, false);
        IdxBytes.writeSplit(dir, "t10k", 20, 4, 4, true);

        ImageClassification train = FashionMnist.train(dir);
        ImageClassification test = FashionMnist.test(dir);
        assertEquals(30, train.size());
        assertEquals(20, test.size());
        assertEquals("Fashion-MNIST train", train.name());
        assertEquals("Fashion-MNIST test", test.name());
        assertEquals(10, test.numClasses());
        assertEquals("T-shirt/top", test.classNames().get(0));
        assertEquals("Ankle boot", test.classNames().get(9));
        assertEquals(0.2860, test.mean());
        assertEquals(0.3530, test.std());

        float[] dst = new float[16];
        test.sample(3, dst, 0);
        assertEquals((IdxBytes.pixel(3, 5) / 255.0 - 0.2860) / 0.3530, dst[5], 1e-6);
        assertEquals(3, test.label(3));
    }

    @Test
    void rawFileIsPreferredWhenBothExist() throws IOException {
        IdxBytes.writeSplit(dir, "t10k", 20, 4, 4, true);
        IdxBytes.writeSplit(dir, "t10k", 7, 4, 4, false);
        assertEquals(7, FashionMnist.test(dir).size());
        Files.delete(dir.resolve("t10k-images-idx3-ubyte"));
        // Now the images come from .gz (20) and the labels from the raw file (7): the mismatch is reported.
        DataException e = assertThrows(DataException.class, () -> FashionMnist.test(dir));
        assertMessage(e, dir.resolve("t10k-images-idx3-ubyte.gz"), "t10k-labels-idx1-ubyte", "20 images", "7 labels");
    }

    @Test
    void mnistConstantsAndNames() {
        IdxBytes.writeSplit(dir, "train", 10, 2, 2, true);
        ImageClassification train = Mnist.train(dir);
        assertEquals("MNIST train", train.name());
        assertEquals("7", train.classNames().get(7));
        assertEquals(0.1307, train.mean());
        assertEquals(0.3081, train.std());
        float[] dst = new float[4];
        train.sample(2, dst, 0);
        assertEquals((IdxBytes.pixel(2, 1) / 255.0 - 0.1307) / 0.3081, dst[1], 1e-6);
    }

    @Test
    void missingDirectorySaysHowToGetTheData() {
        Path absent = dir.resolve("fashion-mnist");
        DataException e = assertThrows(DataException.class, () -> FashionMnist.test(absent));
        assertMessage(e, absent, "directory not found", APT);

        e = assertThrows(DataException.class, () -> Mnist.train(absent));
        assertMessage(e, absent, "directory not found", "FOVEA_MNIST");
    }

    @Test
    void missingFileSaysWhichAndHowToGetIt() {
        IdxBytes.writeSplit(dir, "t10k", 5, 2, 2, true);
        DataException e = assertThrows(DataException.class, () -> FashionMnist.train(dir));
        assertMessage(e, dir.resolve("train-images-idx3-ubyte"), "file not found", "train-images-idx3-ubyte.gz", APT);
    }

    @Test
    void plainFileInsteadOfDirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        DataException e = assertThrows(DataException.class, () -> FashionMnist.test(file));
        assertMessage(e, file, "not a directory", APT);
    }

    @Test
    void defaultDirFollowsTheEnvironment() {
        String env = System.getenv(FashionMnist.ENV_VAR);
        Path expected = env == null || env.isBlank() ? FashionMnist.DEFAULT_DIR : Path.of(env);
        assertEquals(expected, FashionMnist.defaultDir());
        assertTrue(FashionMnist.DEFAULT_DIR.toString().endsWith("fashion-mnist"));
    }
}
