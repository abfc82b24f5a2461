package dev.fovea.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenBLAS comparison on two small shapes, when the library is installed (it is an optional, bench-only dependency). */
class OpenBlasTest {

    @Test
    void quickComparisonAgreesAndMeasures() {
        Assumptions.assumeTrue(OpenBlas.load() != null, "OpenBLAS not installed (" + OpenBlas.INSTALL + ")");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        List<GemmShape> shapes = List.of(GemmShape.named("square.256"), GemmShape.named("lenet.conv2.wgrad"), GemmShape.named("resnet.64x8x8.igrad"));
        VsOpenBlas.Report r = VsOpenBlas.run(BenchOptions.parse("--vs", "openblas", "--quick", "--seconds", "0.02"), "test", out, shapes);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(r.available(), text);
        assertEquals(3, r.rows().size(), text);
        for (VsOpenBlas.Row row : r.rows()) {
            assertTrue(row.maxRelDiff() < 1e-4, text);
            assertTrue(Stats.median(row.ratio1()) > 0, text);
        }
        assertTrue(text.contains("geomean, all"), text);
    }
}
