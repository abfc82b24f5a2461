package dev.fovea.web;

import dev.fovea.kernels.Parallel;
import dev.fovea.models.LeNet5;
import dev.fovea.models.Zoo;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inference on one model from many threads at once gives, bit for bit, what one thread gives: {@link Module#predict}
 * from 8 threads on one shared model, with its kernels spread over the cores and with each request's kernels kept
 * on its own thread ({@link Parallel#serial}, which the server can be set to do), on LeNet-5 and on a ResNet-20 whose
 * batch-norm layers make the training/evaluation mode matter.
 */
class ConcurrentPredictTest {
    private static final int THREADS = 8, ROUNDS = 3;

    @Test
    void lenetFromEightThreadsEqualsOneThread() throws Exception {
        Rng.manualSeed(21);
        Module m = LeNet5.create(1, 10);
        same(m, inputs(new Rng(5), 1, 28, 28));
    }

    /**
     * A model left in training mode (as after fit) is predicted in evaluation mode by every thread at once: no thread
     * may see another's switch of the mode, or batch norm would use batch statistics and update its running ones.
     */
    @Test
    void resnetInTrainingModeFromEightThreadsEqualsOneThread() throws Exception {
        Rng.manualSeed(22);
        Module m = Zoo.create("resnet20", 3, 10);
        // Running statistics away from their initial 0 and 1, so that using batch statistics instead shows.
        for (Map.Entry<String, Tensor> b : m.namedBuffers().entrySet()) {
            if (b.getKey().endsWith("running_mean")) b.getValue().copyFrom(Tensor.randn(new Rng(7), b.getValue().shape()).mul(0.3));
            if (b.getKey().endsWith("running_var")) b.getValue().copyFrom(Tensor.randn(new Rng(8), b.getValue().shape()).mul(0.2).add(1.0));
        }
        m.train();
        Map<String, float[]> buffers = buffers(m);
        same(m, inputs(new Rng(6), 3, 32, 32));
        assertTrue(m.isTraining(), "predict leaves the model's mode as it was");
        for (var e : buffers(m).entrySet()) assertArrayEquals(buffers.get(e.getKey()), e.getValue(), "running statistics unchanged: " + e.getKey());
    }

    private static List<Tensor> inputs(Rng rng, int c, int h, int w) {
        List<Tensor> xs = new ArrayList<>();
        for (int i = 0; i < 6; i++) xs.add(Tensor.randn(rng, 1 + i % 3, c, h, w));
        return xs;
    }

    private static Map<String, float[]> buffers(Module m) {
        Map<String, float[]> out = new java.util.TreeMap<>();
        for (var e : m.namedBuffers().entrySet()) out.put(e.getKey(), e.getValue().toFloatArray());
        return out;
    }

    /** Sequential answers on one thread, then 8 threads asking at once, half of them with their kernels kept serial. */
    private static void same(Module m, List<Tensor> xs) throws Exception {
        List<float[]> expected = new ArrayList<>();
        for (Tensor x : xs) expected.add(m.predict(x).toFloatArray());
        for (int i = 0; i < xs.size(); i++) {
            float[][] serial = new float[1][];
            Tensor x = xs.get(i);
            Parallel.serial(() -> serial[0] = m.predict(x).toFloatArray());
            assertArrayEquals(expected.get(i), serial[0], "one thread's kernels give what all cores give, input " + i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int offset = t;
                boolean serial = t % 2 == 1;
                done.add(pool.submit(() -> {
                    for (int r = 0; r < ROUNDS; r++) {
                        for (int k = 0; k < xs.size(); k++) {
                            int i = (k + offset) % xs.size();
                            float[][] got = new float[1][];
                            Runnable predict = () -> got[0] = m.predict(xs.get(i)).toFloatArray();
                            if (serial) Parallel.serial(predict);
                            else predict.run();
                            assertArrayEquals(expected.get(i), got[0], "input " + i + " on thread " + offset);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(300, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }
}
