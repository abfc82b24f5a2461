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
