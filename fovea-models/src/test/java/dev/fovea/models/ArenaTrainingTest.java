package dev.fovea.models;

import dev.fovea.kernels.Arena;
import dev.fovea.nn.AdaptiveMaxPool2d;
import dev.fovea.nn.AuxiliaryOutputs;
import dev.fovea.nn.AvgPool2d;
import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.ConvTranspose2d;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.ELU;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.GatedConv2d;
import dev.fovea.nn.LeakyReLU;
import dev.fovea.nn.Linear;
import dev.fovea.nn.LocalResponseNorm;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Maxout;
import dev.fovea.nn.Module;
import dev.fovea.nn.Sequential;
import dev.fovea.nn.Sigmoid;
import dev.fovea.nn.Tanh;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training with each step's arrays from an {@link Arena} changes nothing: the zoo's kinds of layer (batch norm,
 * dropout, residual sums, concatenations, depthwise convolutions, auxiliary classifiers) train to bit-identical
 * weights with and without one, with released arrays poisoned, so that anything read after its step would show.
 */
class ArenaTrainingTest {
    private static final Map<String, int[]> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("lenet5", new int[] {1, 28, 28});
        MODELS.put("smallcnn", new int[] {1, 28, 28});
        MODELS.put("resnet20", new int[] {3, 16, 16});
        MODELS.put("lenet5_classic", new int[] {1, 32, 32});
        MODELS.put("densenet_bc_100", new int[] {3, 8, 8});
        MODELS.put("inception_v3_mini", new int[] {3, 16, 16});
        MODELS.put("mobilenet_v2", new int[] {3, 32, 32});
        MODELS.put("googlenet_aux", new int[] {3, 32, 32});
        MODELS.put("layers", new int[] {3, 16, 16});
    }

    /** The layers no zoo model above has: maxout, LRN, gated and transposed convolutions, average pooling, ELU. */
    private static Module everyOtherLayer() {
        return new Sequential(new Conv2d(3, 8, 3, 1, 1), new BatchNorm2d(8), new LeakyReLU(0.1), new LocalResponseNorm(3), new Maxout(2),
                new GatedConv2d(4, 6, 3, 1, 1), new ConvTranspose2d(6, 6, 3, 2, 1, 1), new ELU(), new AvgPool2d(3, 2, 1, true),
                new Conv2d(6, 12, 3, 2, 1, 1, 3, false), new Tanh(), new MaxPool2d(2), new Dropout(0.3), new AdaptiveMaxPool2d(2),
                new Flatten(), new Linear(48, 5), new Sigmoid());
    }

    /** Trains {@code steps} steps of SGD with momentum on fixed random batches; returns the final state. */
    private static Map<String, Tensor> train(String name, int[] shape, int batch, int steps, Arena arena) {
        Rng.manualSeed(42);
        Module model = name.equals("layers") ? everyOtherLayer() : Zoo.create(name, shape[0], 5);
        model.train();
        SGD sgd = new SGD(model.parameters(), 0.05, 0.9, 1e-4, false);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        Rng data = new Rng(7);
        for (int s = 0; s < steps; s++) {
            Tensor x = Tensor.randn(data, batch, shape[0], shape[1], shape[2]);
            int[] y = new int[batch];
            for (int i = 0; i < batch; i++) y[i] = (int) (data.nextDouble() * 5);
            try (Arena.Scope scope = arena == null ? null : arena.open()) {
                Tensor l;
                if (model instanceof AuxiliaryOutputs aux) {
                    AuxiliaryOutputs.Outputs o = aux.forwardTraining(x);
                    l = loss.forward(o.logits(), y);
                    for (Tensor side : o.auxiliary()) l = l.add(loss.forward(side, y).mul(o.weight()));
                } else {
                    l = loss.forward(model.call(x), y);
                }
                sgd.zeroGrad();
                l.backward();
            }
            sgd.step();
        }
        return model.stateDict();
    }

    @Test
    void everyKindOfModelTrainsBitIdenticallyWithItsStepsInAnArena() {
        for (var e : MODELS.entrySet()) {
            Map<String, Tensor> plain = train(e.getKey(), e.getValue(), 4, 3, null);
            Arena arena = new Arena(true);
            Map<String, Tensor> pooled = train(e.getKey(), e.getValue(), 4, 3, arena);
            assertTrue(arena.heldBytes() > 0, e.getKey());
            assertEquals(plain.keySet(), pooled.keySet());
            for (String k : plain.keySet()) {
                float[] a = plain.get(k).toFloatArray(), b = pooled.get(k).toFloatArray();
                for (float v : b) assertTrue(Float.isFinite(v), e.getKey() + " " + k + " read a released array");
                assertArrayEquals(a, b, e.getKey() + " " + k);
            }
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    /** Bytes allocated by all threads in the last of {@code steps} steps of ResNet-20 at {@code batch}. */
    private static long lastStepAllocation(int batch, Arena arena) {
        train("resnet20", new int[] {3, 16, 16}, batch, 2, arena); // warm-up: the arena fills, the JIT settles
        long before = allocatedBytes();
        train("resnet20", new int[] {3, 16, 16}, batch, 1, arena);
        return allocatedBytes() - before;
    }

    @Test
    void aSteadyStateStepAllocatesNothingInProportionToTheBatch() {
        Arena small = new Arena(), large = new Arena();
        long a8 = lastStepAllocation(8, small), a64 = lastStepAllocation(64, large);
        // Without an arena the step at batch 64 allocates its activations: several times the batch-8 step.
        long held64 = large.heldBytes();
        assertTrue(held64 > 5 * small.heldBytes(), held64 + " vs " + small.heldBytes());
        assertTrue(a64 < 0.2 * held64, "a steady-state step at batch 64 allocated " + a64 + " bytes; the arena holds " + held64);
        assertTrue(a64 < 2 * a8 + (1 << 20), "batch 64: " + a64 + " bytes per step, batch 8: " + a8);
    }
}
