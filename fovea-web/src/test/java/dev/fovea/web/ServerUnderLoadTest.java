package dev.fovea.web;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load test, on loopback: 64 clients send 20,000 predictions in all while a model trains in the same
 * process ({@link LoadRig}): no errors, every answer the one a request alone gets for the weights it was computed
 * with, and the heap after the load within a bound of the heap before it. Timings are printed, never asserted; the
 * benchmark with the same rig is {@link WebLoadBench}.
 */
class ServerUnderLoadTest {
    private static final int CLIENTS = 64, REQUESTS = 20_000;
    /** More than this much heap kept after 20,000 requests (about 1.6 KB each) would be a leak. */
    private static final long HEAP_GROWTH_LIMIT = 32L << 20;

    @Test
    void twentyThousandPredictionsFromSixtyFourClientsWhileAModelTrains() throws Exception {
        try (LoadRig rig = LoadRig.start(WebServer.SERIAL_KERNELS)) {
            LoadRig.Result warm = rig.load(CLIENTS, 2_000); // connections, JIT, the replicas' first copies
            assertEquals(0, warm.errors(), String.valueOf(warm.problems()));
            long heapBefore = LoadRig.usedHeapAfterGc();
            LoadRig.Result r = rig.load(CLIENTS, REQUESTS);
            long heapAfter = LoadRig.usedHeapAfterGc();
            rig.stopTraining();
            System.out.printf("load test: %d requests from %d clients in %.1f s (%.0f/s), p50 %.2f ms, p99 %.2f ms, %d training steps meanwhile, "
                    + "heap after GC %d -> %d MiB%n", r.requests(), r.clients(), r.seconds(), r.requestsPerSecond(), r.p50Millis(), r.p99Millis(),
                    r.stepsTrained(), heapBefore >> 20, heapAfter >> 20);

            assertEquals(0, r.errors(), "errors, first ones: " + r.problems());
            assertTrue(r.stepsTrained() > 0, "the model trained during the load");
            assertTrue(rig.trainingAnswersChecked() >= (warm.requests() + REQUESTS) / 2, "half the answers came from the training page");
            assertEquals(List.of(), rig.unexplainedTrainingAnswers(), "answers of the training page that no weight state gives");
            assertTrue(rig.mostDistinctTrainingAnswers() > 1, "the training page's answers followed the weights as they changed");
            assertTrue(heapAfter - heapBefore < HEAP_GROWTH_LIMIT, "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MiB");
        }
    }
}
