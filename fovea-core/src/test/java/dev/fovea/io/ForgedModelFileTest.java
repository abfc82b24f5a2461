package dev.fovea.io;

import dev.fovea.nn.Linear;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.AllocationLimit;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model file or checkpoint whose architecture asks for far more weights than the file holds is refused while the
 * layers are being built, before their memory is taken: a Linear(40000, 40000) would be 6.4 GB.
 */
class ForgedModelFileTest {
    @TempDir
    Path dir;

    private static final String HUGE = "{\"architecture\":{\"type\":\"Sequential\",\"children\":[{\"type\":\"Linear\",\"config\":"
            + "{\"in\":40000,\"out\":40000,\"bias\":true}}]},\"tensors\":[]}";

    private Path file(String name, String magic, String json) throws IOException {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        byte[] body = ByteBuffer.allocate(20 + j.length).order(ByteOrder.LITTLE_ENDIAN)
                .put(magic.getBytes(StandardCharsets.US_ASCII)).putInt(1).putLong(j.length).put(j).array();
        return Files.write(dir.resolve(name), ParserFuzzTest.withDigest(body));
    }

    @Test
    void aHugeArchitectureWithoutWeightsIsRefusedBeforeAllocating() throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (Path f : new Path[] {file("huge.fovea", "FOVEAMDL", HUGE), file("huge.ckpt", "FOVEACKP", HUGE)}) {
            long before = threads.getCurrentThreadAllocatedBytes();
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> { if (f.toString().endsWith(".ckpt")) Checkpoint.load(f); else ModelFile.load(f); });
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(e.getMessage().startsWith(f.getFileName() + ": architecture: its layers ask for more than 65536 tensor elements, more than 0 stored"),
                    e.getMessage());
            assertTrue(allocated < 16 << 20, "allocated " + allocated + " bytes");
        }
    }

    @Test
    void theCapFollowsTheWeightsStoredAndRealModelsFitIt() throws IOException {
        Sequential m = new Sequential(new Linear(300, 200), new Linear(200, 10));
        Path f = dir.resolve("m.fovea");
        ModelFile.save(f, m, Map.of());
        assertEquals(m.parameterCount(), ModelFile.load(f).model().parameterCount());
        long stored = m.parameterCount();
        Object description = Architecture.describe(m);
        assertEquals(stored, Architecture.build(description, stored).parameterCount());
        // The same description against a file holding a twentieth of the weights is refused.
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Architecture.build(description, stored / 20));
        assertTrue(e.getCause() instanceof AllocationLimit.Exceeded, String.valueOf(e.getCause()));
        // Outside a limit nothing is charged: big tensors are the caller's business.
        assertEquals(40_000_000, Tensor.zeros(4000, 10_000).numel());
    }
}
