package dev.fovea.models;

import dev.fovea.io.Architecture;
import dev.fovea.io.LayerProvider;
import dev.fovea.nn.Module;

import java.util.Map;
import java.util.function.Function;

/**
 * Makes the zoo's own module types loadable from model files (listed in
 * {@code META-INF/services/dev.fovea.io.LayerProvider}). Each is rebuilt from its config alone.
 */
public final class ModelsLayerProvider implements LayerProvider {
    @Override
    public Map<String, Function<Architecture.Config, Module>> layers() {
        return Map.of(
                "CifarResNet", c -> new CifarResNet(c.getInt("depth"), c.getInt("inChannels"), c.getInt("classes")),
                "BasicBlock", c -> new BasicBlock(c.getInt("in"), c.getInt("out"), c.getInt("stride")),
                "ZeroPadShortcut", c -> new ZeroPadShortcut(c.getInt("in"), c.getInt("out"), c.getInt("stride")));
    }
}
