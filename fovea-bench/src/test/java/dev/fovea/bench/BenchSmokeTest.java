package dev.fovea.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison's Fovea side in --quick mode, so that CI notices when the bench breaks (a few seconds). */
class BenchSmokeTest {

    @Test
    void quickLeNetComparisonRunsOnTheFoveaSide() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        BenchOptions o = BenchOptions.parse("--vs", "pytorch", "--quick", "--fovea-only", "--reps", "1", "--seconds", "0.1",
                "--workloads", "lenet-train,lenet-infer,lenet-latency");
        VsPyTorch.Report report = VsPyTorch.run(o, "test", out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(3, report.rows().size(), text);
        for (VsPyTorch.Row r : report.rows()) {
            assertTrue(r.measured(), text);
            assertTrue(r.foveaMedian() > 0, text);
        }
        assertTrue(text.contains("lenet-latency") && text.contains("ms/image"), text);
        assertTrue(text.contains("Fovea: loss on one fixed batch"), text);
        assertFalse(text.contains("did not go down"), "LeNet-5 did not train on a fixed batch:\n" + text);
    }

    @Test
    void resnet20TaskRunsAStepOrSaysWhyNot() {
        Workload w = Workload.RESNET20_TRAIN;
        try (Task t = new FoveaBackend().create(w, new Synthetic(w, 1, 1))) {
            double loss = t.step(0);
            assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
        } catch (Backend.Unavailable e) {
            assertTrue(e.getMessage().contains("resnet20"), e.getMessage());
        }
    }

    @Test
    void optionsAreCheckedAndDefaulted() {
        BenchOptions o = BenchOptions.parse();
        assertEquals(Workload.NAMES, o.workloads());
        assertEquals(1, o.threads());
        assertEquals(5, o.repsOr(5, 2));
        assertEquals(2, BenchOptions.parse("--quick").repsOr(5, 2));
        assertEquals(0.5, BenchOptions.parse("--seconds=0.5").secondsOr(3, 1));
        assertEquals("openblas", BenchOptions.parse("--vs", "OpenBLAS").vs());
        for (String[] bad : new String[][] {{"--vs", "tensorflow"}, {"--workloads", "vgg-train"}, {"--reps", "0"}, {"--threads"}, {"--fast"}}) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(bad), String.join(" ", bad));
            assertFalse(e.getMessage().isBlank());
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, Main.run(new String[] {"--fast"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --fast"));
    }
}
