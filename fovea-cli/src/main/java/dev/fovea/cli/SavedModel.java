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
record SavedModel(Module model, String dataset, List<String> classes, int[] inputShape, double[] mean, double[] std) {

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
        double[] mean = perChannel(m.get("mean"), 0, name), std = perChannel(m.get("std"), 1, name);
        String dataset = m.get("dataset") instanceof String d ? d : null;
        return new SavedModel(l.model(), dataset, classes, shape, mean, std);
    }

    /** A normalisation constant as recorded: one number for every channel, or a list of one per channel. */
    private static double[] perChannel(Object v, double absent, String name) {
        if (v == null) return new double[] {absent};
        if (v instanceof Number n) return new double[] {n.doubleValue()};
        if (v instanceof List<?> l && !l.isEmpty() && l.size() <= 4096) {
            double[] out = new double[l.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(l.get(i) instanceof Number n)) throw new ModelFormatException(name + ": bad normalisation constants in metadata");
                out[i] = n.doubleValue();
            }
            return out;
        }
        throw new ModelFormatException(name + ": bad normalisation constants in metadata");
    }

    /** Normalises a C x H x W image in place with the recorded per-channel (or global) mean and std. */
    void normalise(float[] px, int channels) {
        if ((mean.length != 1 && mean.length != channels) || (std.length != 1 && std.length != channels)) {
            throw new ModelFormatException("the model records normalisation for " + mean.length + " channels, its input has " + channels);
        }
        int plane = px.length / channels;
        for (int c = 0; c < channels; c++) {
            double mu = mean[mean.length == 1 ? 0 : c], sd = std[std.length == 1 ? 0 : c];
            for (int i = c * plane; i < (c + 1) * plane; i++) px[i] = (float) ((px[i] - mu) / sd);
        }
    }

    String className(int k) {
        return k < classes.size() ? classes.get(k) : "class " + k;
    }
}
