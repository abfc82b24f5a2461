package dev.fovea.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CifarTest {
    @TempDir
    Path dir;

    /** {@code n} CIFAR records with {@code labelBytes} label bytes; record i has labels (i % 20, i % 100 or i % 10) and pixels (i + k) & 255. */
    static byte[] records(int n, int labelBytes) {
        int size = labelBytes + 3072;
        byte[] b = new byte[n * size];
        for (int i = 0; i < n; i++) {
            if (labelBytes == 1) {
                b[i * size] = (byte) (i % 10);
            } else {
                b[i * size] = (byte) (i % 20);
                b[i * size + 1] = (byte) (i % 100);
            }
            for (int k = 0; k < 3072; k++) b[i * size + labelBytes + k] = (byte) (i + k);
        }
        return b;
    }

    /** Writes a tiny CIFAR-10 folder: {@code perBatch} records in each of the five training batches and the test batch. */
    static void writeCifar10(Path d, int perBatch) throws IOException {
        Files.createDirectories(d);
        for (int i = 1; i <= 5; i++) Files.write(d.resolve("data_batch_" + i + ".bin"), records(perBatch, 1));
        Files.write(d.resolve("test_batch.bin"), records(perBatch, 1));
        Files.writeString(d.resolve("batches.meta.txt"), String.join("\n", Cifar.CLASS_NAMES_10) + "\n\n");
    }

    @Test
    void readsCifar10AndNormalisesPerChannel() throws IOException {
        writeCifar10(dir, 3);
        ByteImageDataset train = Cifar.train10(dir), test = Cifar.test10(dir);
        assertEquals(15, train.size());
        assertEquals(3, test.size());
        assertArrayEquals(new int[] {3, 32, 32}, train.sampleShape());
        assertEquals(10, train.numClasses());
        assertEquals("airplane", train.classNames().get(0));
        assertEquals(2, train.label(2));
        assertEquals(0, train.label(3)); // the second file starts again at record 0
        float[] x = new float[3072];
        train.sample(1, x, 0);
        for (int c = 0; c < 3; c++) {
            int k = c * 1024 + 5;
            double expected = (((1 + k) & 255) / 255.0 - Cifar.MEAN_10[c]) / Cifar.STD_10[c];
            assertEquals(expected, x[k], 1e-5);
        }
        train.raw().sample(1, x, 0);
        assertEquals(((1 + 7) & 255) / 255.0, x[7], 1e-6);
    }

    @Test
    void findsTheUnpackedSubFolder() throws IOException {
        writeCifar10(dir.resolve("cifar-10-batches-bin"), 2);
        assertEquals(10, Cifar.train10(dir).size());
    }

    @Test
    void readsCifar100FineByDefaultAndCoarseOnRequest() throws IOException {
        Files.write(dir.resolve("train.bin"), records(120, 2));
        Files.write(dir.resolve("test.bin"), records(5, 2));
        ByteImageDataset fine = Cifar.train100(dir), coarse = Cifar.train100(dir, true);
        assertEquals(120, fine.size());
        assertEquals(100, fine.numClasses());
        assertEquals(20, coarse.numClasses());
        assertEquals(105 % 100, fine.label(105));
        assertEquals(105 % 20, coarse.label(105));
        assertEquals(5, Cifar.test100(dir).size());
        float[] x = new float[3072];
        fine.raw().sample(4, x, 0);
        assertEquals(((4 + 100) & 255) / 255.0, x[100], 1e-6);
    }

    @Test
    void malformedFilesAreRefusedNamingTheFileAndTheProblem() throws IOException {
        writeCifar10(dir, 2);
        // A truncated batch.
        byte[] b = records(2, 1);
        Files.write(dir.resolve("data_batch_3.bin"), java.util.Arrays.copyOf(b, b.length - 1));
        DataException e = assertThrows(DataException.class, () -> Cifar.train10(dir));
        assertTrue(e.getMessage().contains("data_batch_3.bin") && e.getMessage().contains("3073-byte records"), e.getMessage());
        // A label out of range.
        b[3073] = 10;
        Files.write(dir.resolve("data_batch_3.bin"), b);
        e = assertThrows(DataException.class, () -> Cifar.train10(dir));
        assertTrue(e.getMessage().contains("data_batch_3.bin") && e.getMessage().contains("label 10 of record 1"), e.getMessage());
        // A missing batch.
        Files.delete(dir.resolve("data_batch_3.bin"));
        e = assertThrows(DataException.class, () -> Cifar.train10(dir));
        assertTrue(e.getMessage().contains("data_batch_3.bin: file not found"), e.getMessage());
        // An empty file.
        Files.write(dir.resolve("test_batch.bin"), new byte[0]);
        e = assertThrows(DataException.class, () -> Cifar.test10(dir));
        assertTrue(e.getMessage().contains("test_batch.bin: length 0"), e.getMessage());
        // A wrong class-name file.
        Files.write(dir.resolve("test_batch.bin"), records(2, 1));
        Files.writeString(dir.resolve("batches.meta.txt"), "a\nb\n");
        e = assertThrows(DataException.class, () -> Cifar.test10(dir));
        assertTrue(e.getMessage().contains("batches.meta.txt: 2 class names, expected 10"), e.getMessage());
        // CIFAR-100 labels out of range, and a CIFAR-10 file passed as CIFAR-100.
        byte[] c = records(3, 2);
        c[2 * 3074 + 1] = 100;
        Files.write(dir.resolve("train.bin"), c);
        e = assertThrows(DataException.class, () -> Cifar.train100(dir));
        assertTrue(e.getMessage().contains("train.bin: fine label 100 of record 2"), e.getMessage());
        Files.write(dir.resolve("test.bin"), records(3, 1));
        e = assertThrows(DataException.class, () -> Cifar.test100(dir));
        assertTrue(e.getMessage().contains("test.bin") && e.getMessage().contains("3074-byte records"), e.getMessage());
        // No folder at all.
        e = assertThrows(DataException.class, () -> Cifar.train10(dir.resolve("nowhere")));
        assertTrue(e.getMessage().contains("nowhere: directory not found") && e.getMessage().contains("cifar-10-binary.tar.gz"), e.getMessage());
    }

    @Test
    void coarseNamesAreCheckedToo() throws IOException {
        Files.write(dir.resolve("train.bin"), records(3, 2));
        Files.writeString(dir.resolve("coarse_label_names.txt"), String.join("\n", List.of("x", "y")));
        DataException e = assertThrows(DataException.class, () -> Cifar.train100(dir, true));
        assertTrue(e.getMessage().contains("coarse_label_names.txt: 2 class names, expected 20"), e.getMessage());
    }
}
