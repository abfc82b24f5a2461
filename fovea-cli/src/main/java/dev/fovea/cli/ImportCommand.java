package dev.fovea.cli;

import dev.fovea.io.Json;
import dev.fovea.io.ModelFile;
import dev.fovea.io.ModelFormatException;
import dev.fovea.io.SafeTensors;
import dev.fovea.models.Zoo;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fovea import IN.safetensors --model NAME OUT}: builds a zoo model, loads the file's tensors into it by
 * state-dict name (torchvision's names for the zoo models) and saves a Fovea model file. Strict by default: every
 * tensor of the model must be in the file, with its shape, and nothing else may be; {@code --non-strict} allows
 * missing (left at their initial values) and unexpected (ignored) names, never a shape mismatch. A scalar and a
 * one-element vector count as the same shape (PyTorch's {@code num_batches_tracked} is a scalar, Fovea's a [1]).
 */
final class ImportCommand {
    private ImportCommand() {}

    private static final int LIST_LIMIT = 12;

    /** The command's options, for parsing and --help. */
    static Args args() {
        return new Args("import", "Loads a safetensors file (F32, F64, F16, BF16 or I64, e.g. from PyTorch with torchvision's names)\n"
                + "into a model of the zoo and saves it as a Fovea model file. The model name, class count and input\n"
                + "channels default to those recorded by 'fovea export', else are read from the tensors' shapes.")
                .positional("IN.safetensors")
                .positional("OUT")
                .option("model", Args.Kind.TEXT, "NAME", null, "model to build: " + String.join(", ", Zoo.names()))
                .option("classes", Args.Kind.INT, "K", null, "number of classes (default: from the file)")
                .option("in-channels", Args.Kind.INT, "C", null, "input channels (default: from the file)")
                .flag("non-strict", "allow tensors missing from the file (kept at their initial values) and extra tensors (ignored)");
    }

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = args();
        if (a.parse(argv)) {
            out.print(a.help());
            return 0;
        }
        Path in = Path.of(a.requirePositional(0));
        Path target = Path.of(a.requirePositional(1));
        String fileName = in.getFileName() == null ? in.toString() : in.getFileName().toString();
        if (a.given("model") && !Zoo.names().contains(a.text("model"))) {
            throw new UsageException("unknown model '" + a.text("model") + "'" + suggest(a.text("model")) + "; available: " + String.join(", ", Zoo.names()));
        }
        SafeTensors.Contents file = SafeTensors.read(in);
        Map<String, String> fm = file.metadata();
        String name = a.given("model") ? a.text("model") : fm.get("model");
        if (name == null) throw new UsageException("--model NAME is needed: " + fileName + " does not say which model it holds");
        if (!Zoo.names().contains(name)) {
            throw new UsageException(fileName + " holds a '" + name + "', which is not a model of the zoo; pass --model NAME");
        }
        boolean sameModel = name.equals(fm.get("model"));
        int[] shape = Zoo.inputShape(name);
        int defaultClasses = ExportCommand.defaultClasses(name);
        Integer classes = a.given("classes") ? (Integer) a.integer("classes", 1) : sameModel ? positiveInt(fm.get("num_classes")) : null;
        Integer channels = a.given("in-channels") ? (Integer) a.integer("in-channels", 1) : sameModel ? firstOf(fm.get("input_shape")) : null;
        Module model = Zoo.create(name, channels == null ? shape[0] : channels, classes == null ? defaultClasses : classes);
        if (classes == null || channels == null) {
            // Read what the file implies from the first convolution's input channels and the classifier's outputs.
            int c = channels != null ? channels : inferChannels(model, file.tensors(), shape[0]);
            int k = classes != null ? classes : inferClasses(model, file.tensors(), defaultClasses);
            if (c != (channels == null ? shape[0] : channels) || k != (classes == null ? defaultClasses : classes)) model = Zoo.create(name, c, k);
            channels = c;
            classes = k;
        }
        shape[0] = channels;

        Map<String, Tensor> own = model.stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (var e : own.entrySet()) {
            Tensor src = file.tensors().get(e.getKey());
            if (src == null) missing.add(e.getKey());
            else if (!sameShape(src.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + " " + Arrays.toString(src.shape()) + " in the file, " + Arrays.toString(e.getValue().shape()) + " in " + name);
            }
        }
        for (String k : file.tensors().keySet()) if (!own.containsKey(k)) unexpected.add(k);
        boolean strict = !a.flag("non-strict");
        if (!mismatched.isEmpty() || strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            StringBuilder sb = new StringBuilder(fileName + " does not fit " + name + " (" + channels + " input channels, " + classes + " classes):");
            if (!mismatched.isEmpty()) sb.append("\n  shape mismatch: ").append(list(mismatched));
            if (!missing.isEmpty()) sb.append("\n  missing from the file: ").append(list(missing));
            if (!unexpected.isEmpty()) sb.append("\n  not in the model: ").append(list(unexpected));
            if (mismatched.isEmpty()) sb.append("\n  (--non-strict loads the tensors that match and leaves the others)");
            throw new ModelFormatException(sb.toString());
        }
        int loaded = 0;
        for (var e : own.entrySet()) {
            Tensor src = file.tensors().get(e.getKey());
            if (src == null) continue;
            e.getValue().copyFrom(Tensor.of(src.toFloatArray(), e.getValue().shape()));
            loaded++;
        }
        model.eval();

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", name);
        if (fm.get("dataset") != null && sameModel) meta.put("dataset", fm.get("dataset"));
        List<Object> names = classNames(fm.get("classes"));
        if (sameModel && names != null && names.size() == classes) meta.put("classes", names);
        meta.put("numClasses", classes);
        meta.put("inputShape", shape);
        if (sameModel) {
            Double mean = number(fm.get("mean")), std = number(fm.get("std"));
            if (mean != null && std != null && std > 0) {
                meta.put("mean", mean);
                meta.put("std", std);
            }
        }
        meta.put("importedFrom", fileName);
        ModelFile.save(target, model, meta);
        out.printf("Loaded %d of %d tensors of %s (%d input channels, %d classes) from %s%s; saved %s%n", loaded, own.size(), name, channels, classes,
                fileName, missing.isEmpty() && unexpected.isEmpty() ? "" : " (" + missing.size() + " missing, " + unexpected.size() + " ignored)", target);
        return 0;
    }

    /** Equal shapes, or a scalar and a one-element vector. */
    static boolean sameShape(int[] a, int[] b) {
        if (Arrays.equals(a, b)) return true;
        return a.length + b.length == 1 && (a.length == 1 ? a[0] : b[0]) == 1;
    }

    /** The first rank-4 tensor of the model (its stem convolution) found in the file gives the input channels. */
    private static int inferChannels(Module model, Map<String, Tensor> file, int fallback) {
        for (var e : model.stateDict().entrySet()) {
            if (e.getValue().dim() != 4) continue;
            Tensor t = file.get(e.getKey());
            return t != null && t.dim() == 4 && t.size(1) >= 1 ? t.size(1) : fallback;
        }
        return fallback;
    }

    /** The last tensor whose first dimension is the model's class count (the classifier's bias) gives the class count. */
    private static int inferClasses(Module model, Map<String, Tensor> file, int built) {
        String last = null;
        for (var e : model.stateDict().entrySet()) {
            if (e.getValue().dim() >= 1 && e.getValue().size(0) == built) last = e.getKey();
        }
        if (last == null) return built;
        Tensor t = file.get(last);
        return t != null && t.dim() == model.stateDict().get(last).dim() && t.size(0) >= 1 ? t.size(0) : built;
    }

    private static String list(List<String> items) {
        List<String> shown = items.size() > LIST_LIMIT ? items.subList(0, LIST_LIMIT) : items;
        return String.join(", ", shown) + (items.size() > LIST_LIMIT ? " and " + (items.size() - LIST_LIMIT) + " more" : "");
    }

    private static String suggest(String name) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : Zoo.names()) {
            int d = Args.distance(name, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return bestD <= 2 ? " (did you mean '" + best + "'?)" : "";
    }

    private static Integer positiveInt(String s) {
        if (s == null) return null;
        try {
            int v = Integer.parseInt(s.strip());
            return v >= 1 ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer firstOf(String jsonList) {
        if (jsonList == null) return null;
        try {
            return Json.parse(jsonList) instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Long v && v >= 1 && v <= 4096 ? (int) (long) v : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<Object> classNames(String jsonList) {
        if (jsonList == null) return null;
        try {
            if (!(Json.parse(jsonList) instanceof List<?> l)) return null;
            List<Object> out = new ArrayList<>();
            for (Object o : l) {
                if (!(o instanceof String s)) return null;
                out.add(s);
            }
            return out;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Double number(String s) {
        if (s == null) return null;
        try {
            double d = Double.parseDouble(s);
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
