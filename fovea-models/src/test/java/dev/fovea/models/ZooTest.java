package dev.fovea.models;

import dev.fovea.io.Architecture;
import dev.fovea.io.Json;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The zoo's names, descriptions and model-file types. The 60-140 M parameter models are built in their own tests. */
class ZooTest {
    private static final List<String> NEW_MODELS = List.of("lenet5_classic", "nin", "densenet_bc_100", "inception_v3_mini", "alexnet",
            "alexnet_original", "vgg11", "vgg13", "vgg16", "vgg19", "googlenet", "googlenet_aux", "resnet18", "resnet34", "resnet50",
            "resnet101", "resnet152", "densenet121", "densenet169", "densenet201", "mobilenet_v2");

    @Test
    void everyModelIsRegisteredByALowercaseNameAndSaysWhatInputItExpects() {
        assertTrue(Zoo.names().containsAll(NEW_MODELS), Zoo.names().toString());
        Pattern size = Pattern.compile("\\d+x\\d+ inputs");
        for (String name : Zoo.names()) {
            assertEquals(name.toLowerCase(java.util.Locale.ROOT), name);
            assertTrue(size.matcher(Zoo.description(name)).find(), name + ": " + Zoo.description(name));
        }
    }

    @Test
    void theSmallerModelsBuildByNameAndDescribeThemselvesForModelFiles() {
        Rng.manualSeed(1);
        Map<String, Class<?>> types = Map.of("lenet5_classic", LeNet5Classic.class, "nin", NetworkInNetwork.class, "densenet_bc_100", DenseNet.class,
                "inception_v3_mini", InceptionV3Mini.class, "googlenet_aux", GoogLeNet.class, "resnet18", ResNet.class, "mobilenet_v2", MobileNetV2.class);
        var provided = new ModelsLayerProvider().layers().keySet();
        for (var e : types.entrySet()) {
            Module m = Zoo.create(e.getKey(), 2, 7);
            assertInstanceOf(e.getValue(), m);
            assertTrue(provided.contains(m.typeName()), m.typeName());
            // What a model file stores (as JSON): the type and its config, from which the provider rebuilds the whole model.
            Module back = Architecture.build(Json.parse(Json.write(Architecture.describe(m))));
            assertEquals(m.getClass(), back.getClass());
            assertEquals(ModelChecks.plain(m.config()), ModelChecks.plain(back.config()));
            assertEquals(m.parameterCount(), back.parameterCount(), e.getKey());
            assertEquals(m.stateDict().keySet(), back.stateDict().keySet(), e.getKey());
        }
        assertTrue(provided.containsAll(List.of("AlexNet", "OriginalAlexNet", "VGG", "BasicConv2d", "Inception", "InceptionAux", "InceptionC",
                "ResNetBasicBlock", "Bottleneck", "DenseBlock", "DenseLayer", "Transition", "InvertedResidual", "ReLU6", "LeNetC3")), provided.toString());
    }
}
