package dev.fovea.models;

import dev.fovea.nn.Module;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** One model in evaluation mode, asked by many threads at once, answers exactly as it answers one thread. */
class ConcurrentInferenceTest {
    @Test
    void predictionsFromManyThreadsEqualSequentialOnes() throws Exception {
        Rng.manualSeed(11);
        Module model = Zoo.create("resnet20", 3, 10);
        model.eval();
        int inputs = 8, threads = 6, rounds = 4;
        List<Tensor> xs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            Tensor x = Tensor.randn(new Rng(100 + i), 1 + i % 3, 3, 32, 32);
            xs.add(x);
            expected.add(model.predict(x).toFloatArray());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                done.add(pool.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        for (int k = 0; k < inputs; k++) {
                            int i = (k + offset + r) % inputs;
                            assertArrayEquals(expected.get(i), model.predict(xs.get(i)).toFloatArray(), "input " + i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
