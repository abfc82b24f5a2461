package dev.fovea.models;

import dev.fovea.nn.Module;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The models available by name, for the command line and for code that picks a model from configuration. */
public final class Zoo {
    private Zoo() {}

    /** Builds a model for inputs of {@code inChannels} channels and {@code classes} output classes. */
    @FunctionalInterface
    public interface Factory {
        Module create(int inChannels, int classes);
    }

    private record Entry(Factory factory, String description) {}

    private static final Map<String, Entry> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("lenet5", new Entry(LeNet5::create, "LeNet-5 with ReLU and max pooling (28x28 inputs)"));
        MODELS.put("resnet20", new Entry(CifarResNet::resnet20, "ResNet-20 for CIFAR (He et al. 2015, 32x32 inputs): 0.27 M params, 41 M mult-adds"));
        MODELS.put("resnet32", new Entry(CifarResNet::resnet32, "ResNet-32 for CIFAR (He et al. 2015, 32x32 inputs): 0.46 M params, 69 M mult-adds"));
        MODELS.put("resnet44", new Entry(CifarResNet::resnet44, "ResNet-44 for CIFAR (He et al. 2015, 32x32 inputs): 0.66 M params, 97 M mult-adds"));
        MODELS.put("resnet56", new Entry(CifarResNet::resnet56, "ResNet-56 for CIFAR (He et al. 2015, 32x32 inputs): 0.85 M params, 125 M mult-adds"));
        MODELS.put("resnet110", new Entry(CifarResNet::resnet110, "ResNet-110 for CIFAR (He et al. 2015, 32x32 inputs): 1.7 M params, 253 M mult-adds"));
    }

    public static Set<String> names() {
        return MODELS.keySet();
    }

    public static String description(String name) {
        return entry(name).description;
    }

    public static Module create(String name, int inChannels, int classes) {
        return entry(name).factory.create(inChannels, classes);
    }

    private static Entry entry(String name) {
        Entry e = MODELS.get(name);
        if (e == null) throw new IllegalArgumentException("unknown model '" + name + "'; available: " + String.join(", ", MODELS.keySet()));
        return e;
    }
}
