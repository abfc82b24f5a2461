package dev.fovea.nn;

import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Keras-style model summary: one row per leaf layer in the order layers run, with its output shape,
 * parameter count and multiply-adds for a single example, and totals. It is made by running one example of
 * zeros through the model in evaluation mode and watching {@link Module#call(Tensor)}.
 */
public final class Summary {
    /** One layer's line. {@code outputShape} includes the batch dimension of 1. */
    public record Row(String path, String type, int[] outputShape, long parameters, long multiplyAdds) {}

    private static final ThreadLocal<Summary> ACTIVE = new ThreadLocal<>();

    private final Map<Module, String> paths = new IdentityHashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private final int[] inputShape;
    private long totalParameters;
    private long trainableParameters;

    private Summary(int[] inputShape) {
        this.inputShape = inputShape;
    }

    static Summary of(Module model, int[] inputShape) {
        Summary s = new Summary(inputShape.clone());
        for (var e : model.namedModules().entrySet()) s.paths.put(e.getValue(), e.getKey());
        for (Tensor p : model.parameters()) {
            s.totalParameters += p.numel();
            if (p.requiresGrad()) s.trainableParameters += p.numel();
        }
        int[] batched = new int[inputShape.length + 1];
        batched[0] = 1;
        System.arraycopy(inputShape, 0, batched, 1, inputShape.length);
        Summary prev = ACTIVE.get();
        ACTIVE.set(s);
        try {
            model.predict(Tensor.zeros(batched));
        } finally {
            ACTIVE.set(prev);
        }
        return s;
    }

    static void observe(Module m, Tensor in, Tensor out) {
        Summary s = ACTIVE.get();
        if (s == null || !m.children().isEmpty()) return;
        String path = s.paths.get(m);
        if (path == null) return;
        long params = 0;
        for (Tensor p : m.parameters()) params += p.numel();
        s.rows.add(new Row(path, m.typeName(), out.shape(), params, m.multiplyAdds(in.shape(), out.shape())));
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public long totalParameters() {
        return totalParameters;
    }

    public long trainableParameters() {
        return trainableParameters;
    }

    public long totalMultiplyAdds() {
        long n = 0;
        for (Row r : rows) n += r.multiplyAdds;
        return n;
    }

    @Override
    public String toString() {
        String[] head = {"Layer", "Type", "Output shape", "Params", "Mult-adds"};
        List<String[]> lines = new ArrayList<>();
        for (Row r : rows) {
            lines.add(new String[] {r.path, r.type, Arrays.toString(r.outputShape), String.format(Locale.ROOT, "%,d", r.parameters), String.format(Locale.ROOT, "%,d", r.multiplyAdds)});
        }
        int[] w = new int[head.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = head[i].length();
            for (String[] l : lines) w[i] = Math.max(w[i], l[i].length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Input shape: ").append(Arrays.toString(inputShape)).append('\n');
        appendRow(sb, head, w);
        int total = Arrays.stream(w).sum() + 2 * (w.length - 1);
        sb.append("-".repeat(total)).append('\n');
        for (String[] l : lines) appendRow(sb, l, w);
        sb.append("-".repeat(total)).append('\n');
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", totalParameters));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainableParameters));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", totalParameters - trainableParameters));
        long macs = totalMultiplyAdds();
        sb.append(String.format(Locale.ROOT, "Mult-adds per example: %,d (%s)%n", macs,
                macs >= 1e9 ? String.format(Locale.ROOT, "%.2f G", macs / 1e9) : String.format(Locale.ROOT, "%.2f M", macs / 1e6)));
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, String[] cells, int[] w) {
        for (int i = 0; i < cells.length; i++) {
            boolean right = i >= 3;
            String c = cells[i];
            String pad = " ".repeat(w[i] - c.length());
            sb.append(right ? pad + c : c + pad);
            if (i < cells.length - 1) sb.append("  ");
        }
        sb.append('\n');
    }
}
