package dev.fovea.io;

import dev.fovea.nn.Module;

import java.util.Map;
import java.util.function.Function;

/**
 * How a library above the core (the model zoo, say) makes its module types loadable from model files: implement
 * this, list the class in {@code META-INF/services/dev.fovea.io.LayerProvider}, and {@link Architecture} finds it
 * on the class path the first time it builds a model. Only classes already on the class path take part; a model
 * file can only name them.
 */
public interface LayerProvider {
    /** Factories by type name; each builds its module from the stored config alone. */
    Map<String, Function<Architecture.Config, Module>> layers();
}
