package dev.fovea.cli;

import dev.fovea.io.ModelFile;
import dev.fovea.io.ModelFormatException;
import dev.fovea.nn.Module;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A model file as the commands use it: the model plus what `fovea train` recorded about its data. */
record SavedModel(Module model, String dataset, List<String> classes, int[] inputShape, double mean, double std) {

    static SavedModel load(String file) throws IOException {
        ModelFile.Loaded l = ModelFile.load(Path.of(file));
        Map<String, Object> m = l.metadata();
        String name = Path.of(file).getFileName().toString();
        List<String> classes = new ArrayList<>();
        if (m.get("classes") instanceof List<?> cl) for (Object o : cl) classes.add(String.valueOf(o));
        int[] shape = null;
        if (m.get("inputShape") instanceof List<?> s && s.size() == 3) {
            shape = new int[3];
            for (int i = 0; i < 3; i++) {
                if (!(s.get(i) instanceof Long v) || v < 1 || v > 4096) throw new ModelFormatException(name + ": bad inputShape in metadata");
                shape[i] = (int) (long) v;
            }
        }
        double mean = m.get("mean") instanceof Number n ? n.doubleValue() : 0;
        double std = m.get("std") instanceof Number n ? n.doubleValue() : 1;
        String dataset = m.get("dataset") instanceof String d ? d : null;
        return new SavedModel(l.model(), dataset, classes, shape, mean, std);
    }

    String className(int k) {
        return k < classes.size() ? classes.get(k) : "class " + k;
    }
}
