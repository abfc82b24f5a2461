package dev.fovea.models;

import dev.fovea.io.Architecture;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Loading a model file caps what building its architecture may allocate by the weights the file holds
 * ({@link Architecture#allocationCap}); every zoo model must fit under the cap (these are the ones quick to build;
 * the largest need no more: AlexNet and VGG 3 times their weights, ResNet-101 2.1 times).
 */
class ZooAllocationCapTest {
    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "lenet5_classic", "resnet20", "nin", "densenet_bc_100", "inception_v3_mini", "mobilenet_v2", "googlenet_aux", "resnet18"})
    void buildsWithinTheCapOfItsOwnWeights(String name) {
        int[] in = Zoo.inputShape(name);
        Module m = Zoo.create(name, in[0], 10);
        long stored = 0;
        for (Tensor t : m.stateDict().values()) stored += t.numel();
        Module back = Architecture.build(Architecture.describe(m), stored);
        assertEquals(m.stateDict().keySet(), back.stateDict().keySet());
    }
}
