package dev.fovea.cli;

import dev.fovea.io.ModelFile;
import dev.fovea.models.LeNet5;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code fovea serve}'s help and refusals (the server itself is tested in fovea-web). */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpAndListing() {
        Cli r = Cli.run("serve", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("usage: fovea serve"), r.out());
        assertTrue(r.out().contains("127.0.0.1") && r.out().contains("--port"), r.out());
        assertTrue(Cli.run("--help").out().contains("  serve "));
        assertTrue(Cli.run("train", "--help").out().contains("--ui"));
    }

    @Test
    void refusals() throws Exception {
        Cli missing = Cli.run("serve", dir.resolve("nope.fovea").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());

        Path bare = dir.resolve("bare.fovea");
        ModelFile.save(bare, LeNet5.create(1, 10), Map.of());
        Cli noShape = Cli.run("serve", bare.toString());
        assertEquals(2, noShape.code());
        assertTrue(noShape.err().contains("records no input shape"), noShape.err());

        Path ok = dir.resolve("ok.fovea");
        ModelFile.save(ok, LeNet5.create(1, 10), Map.of("inputShape", List.of(1, 28, 28), "classes", List.of("a", "b")));
        Cli badPort = Cli.run("serve", ok.toString(), "--port", "70000");
        assertEquals(2, badPort.code());
        assertTrue(badPort.err().contains("at most 65535"), badPort.err());
    }
}
