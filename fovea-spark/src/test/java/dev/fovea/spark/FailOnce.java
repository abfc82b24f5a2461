package dev.fovea.spark;

import dev.fovea.io.Architecture;
import dev.fovea.io.LayerProvider;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A test layer that passes its input through, except once in the whole cluster: on the {@code after}-th forward pass
 * in some JVM, the first to create the marker file kills its task, by throwing ("throw") or by ending its executor's
 * JVM on the spot ("halt", a lost executor). Rebuilt on the executors from its config like any layer (listed in the
 * test resources' LayerProvider services file), so the fault strikes in the middle of a real round.
 */
final class FailOnce extends Module {
    private static final AtomicInteger CALLS = new AtomicInteger();
    private final String marker, mode;
    private final int after;

    FailOnce(String marker, int after, String mode) {
        this.marker = marker;
        this.after = after;
        this.mode = mode;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (isTraining() && CALLS.incrementAndGet() >= after) {
            try {
                Files.createFile(Path.of(marker));
            } catch (FileAlreadyExistsException e) {
                return x;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (mode.equals("halt")) Runtime.getRuntime().halt(37);
            throw new IllegalStateException("FailOnce: this task fails on purpose (forward pass " + CALLS.get() + ")");
        }
        return x;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("marker", marker);
        c.put("after", after);
        c.put("mode", mode);
        return c;
    }

    public static final class Provider implements LayerProvider {
        @Override
        public Map<String, Function<Architecture.Config, Module>> layers() {
            return Map.of("FailOnce", c -> new FailOnce(c.getString("marker"), c.getInt("after"), c.getString("mode")));
        }
    }
}
