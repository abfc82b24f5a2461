package dev.fovea.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JMH side: shapes, FLOP counts, the generated benchmark list, and one very short in-process JMH run. */
class KernelBenchTest {

    @Test
    void layerShapesAndGemmsAgree() {
        ConvLayer c1 = ConvLayer.named("lenet.conv1");
        assertEquals(28, c1.out());
        assertEquals(2.0 * 64 * 6 * 28 * 28 * 25, c1.flops());
        assertEquals(10, ConvLayer.named("lenet.conv2").out());
        for (ConvLayer l : ConvLayer.ALL) {
            for (GemmShape g : l.gemms()) {
                // Each GEMM covers imagesPerGemm() images of the pass; the passes over the batch add up to flops().
                assertEquals(l.flops(), g.flops() * l.batch() / l.imagesPerGemm(), 1e-6 * l.flops(), g.name());
                assertTrue((long) l.colRows() * l.opix() * l.imagesPerGemm() <= Math.max(ConvLayer.COL_BUDGET, (long) l.colRows() * l.opix()));
            }
        }
        assertEquals(3 + 3 * ConvLayer.ALL.size(), GemmShape.all().size());
    }

    @Test
    void jmhBenchmarkListWasGenerated() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
            assertNotNull(in, "the JMH annotation processor did not run");
            String list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String b : new String[] {"GemmBench", "ConvBench_forward", "ConvBench_inputGrad", "ConvBench_weightGrad"}) {
                assertTrue(list.contains(b), b + " missing from the benchmark list");
            }
        }
    }

    @Test
    void shortJmhRunsGiveGflops() throws Exception {
        GemmShape s = GemmShape.named("square.256");
        Micro.Result g = Micro.one(GemmBench.class.getName() + ".gemm", "shape", s.name(), s.flops(), 1, 0, 0.05, 1, 1);
        assertTrue(g.gflops() > 0, "SGEMM at " + g.gflops() + " GFLOP/s");
        ConvLayer l = ConvLayer.named("lenet.conv2");
        Micro.Result c = Micro.one(ConvBench.class.getName() + ".inputGrad", "layer", l.name(), l.flops(), 1, 0, 0.05, 1, 1);
        assertTrue(c.gflops() > 0, "input gradient at " + c.gflops() + " GFLOP/s");
    }

    @Test
    void peakLoopMeasuresSomething() {
        double p = Peak.measure(1, 0.05);
        assertTrue(p > 1 && p < 10_000, "peak " + p);
    }
}
