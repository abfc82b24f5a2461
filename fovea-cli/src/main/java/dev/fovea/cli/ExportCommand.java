package dev.fovea.cli;

import dev.fovea.io.Json;
import dev.fovea.io.ModelFile;
import dev.fovea.io.SafeTensors;
import dev.fovea.models.Zoo;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fovea export MODEL OUT.safetensors}: a saved model's (or a fresh zoo model's) state dict as safetensors,
 * under Fovea's state-dict names (torchvision's for the zoo models), with what Fovea knows about the model in
 * {@code __metadata__}.
 */
final class ExportCommand {
    private ExportCommand() {}

    /** The command's options, for parsing and --help. */
    static Args args() {
        return new Args("export", "Writes a model's weights and buffers as a safetensors file (float32), named as in its state dict\n"
                + "(torchvision's names for the zoo models). MODEL is a saved model file or a model name ("
                + String.join(", ", Zoo.names()) + "; fresh weights).")
                .positional("MODEL")
                .positional("OUT.safetensors")
                .option("classes", Args.Kind.INT, "K", null, "number of classes when building a model by name (default: 1000 for ImageNet models, else 10)")
                .option("in-channels", Args.Kind.INT, "C", null, "input channels when building a model by name (default: the model's)");
    }

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = args();
        if (a.parse(argv)) {
            out.print(a.help());
            return 0;
        }
        String what = a.requirePositional(0);
        Path target = Path.of(a.requirePositional(1));
        Module model;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        if (Files.exists(Path.of(what))) {
            if (a.given("classes") || a.given("in-channels")) throw new UsageException("--classes and --in-channels apply to a model name, not to a model file");
            ModelFile.Loaded l = ModelFile.load(Path.of(what));
            model = l.model();
            Map<String, Object> m = l.metadata();
            if (m.get("model") instanceof String s) meta.put("model", s);
            if (m.get("dataset") instanceof String s) meta.put("dataset", s);
            if (m.get("classes") instanceof List<?> cl) {
                meta.put("classes", Json.write(cl));
                meta.put("num_classes", Integer.toString(cl.size()));
            } else if (m.get("numClasses") instanceof Long k) {
                meta.put("num_classes", Long.toString(k));
            }
            if (m.get("inputShape") instanceof List<?> s) meta.put("input_shape", Json.write(s));
            if (m.get("mean") instanceof Number n) meta.put("mean", Json.write(n.doubleValue()));
            if (m.get("std") instanceof Number n) meta.put("std", Json.write(n.doubleValue()));
        } else if (Zoo.names().contains(what)) {
            int[] shape = Zoo.inputShape(what);
            int classes = a.given("classes") ? a.integer("classes", 1) : defaultClasses(what);
            if (a.given("in-channels")) shape[0] = a.integer("in-channels", 1);
            model = Zoo.create(what, shape[0], classes);
            meta.put("model", what);
            meta.put("num_classes", Integer.toString(classes));
            meta.put("input_shape", Json.write(shape));
        } else {
            throw new UsageException("'" + what + "' is neither a model file nor a model name (" + String.join(", ", Zoo.names()) + ")");
        }
        Map<String, Tensor> state = model.stateDict();
        SafeTensors.write(target, state, meta);
        long params = 0;
        for (Tensor t : state.values()) params += t.numel();
        out.printf("Wrote %,d tensors (%,d numbers, float32) to %s%n", state.size(), params, target);
        return 0;
    }

    /** The class count a model is built with by default: 1000 for the ImageNet models, else 10 (as summary). */
    static int defaultClasses(String name) {
        return Zoo.inputShape(name)[1] >= 200 ? 1000 : 10;
    }
}
