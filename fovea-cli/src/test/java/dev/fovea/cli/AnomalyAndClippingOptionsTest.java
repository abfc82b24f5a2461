package dev.fovea.cli;

import dev.fovea.tensor.Autograd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --detect-anomaly}, {@code --clip-norm} and {@code --clip-value} on Fashion-MNIST. */
class AnomalyAndClippingOptionsTest {
    @TempDir
    Path dir;

    @Test
    void aHugeLearningRateIsCaughtAtTheFirstNonFiniteOperation() {
        Path out = dir.resolve("m.fovea");
        Cli r = Cli.run("train", "--limit", "256", "--batch", "32", "--epochs", "1", "--lr", "1e30", "--detect-anomaly", "--out", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        String e = r.err();
        assertTrue(e.startsWith("fovea train: error: NaN or infinity found by --detect-anomaly: epoch 1, step 2 of 8: the forward of '"), e);
        assertTrue(e.contains(" in layer ") && e.contains("non-finite values in its output") && e.contains("input 1: shape [32, "), e);
        assertFalse(Files.exists(out));
        assertFalse(Autograd.isDetectingAnomaly(), "the switch is turned off again");
    }

    @Test
    void clippingOptionsTrainAndRefuseNonsense() {
        Cli r = Cli.run("train", "--limit", "256", "--batch", "32", "--epochs", "1", "--clip-norm", "1", "--clip-value", "0.05",
                "--out", dir.resolve("c.fovea").toString());
        assertEquals(0, r.code(), r.err());
        Cli bad = Cli.run("train", "--clip-norm", "0");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("option --clip-norm: must be above 0"), bad.err());
        bad = Cli.run("train", "--clip-value", "-1");
        assertTrue(bad.err().contains("option --clip-value: must be at least 0"), bad.err());
    }
}
