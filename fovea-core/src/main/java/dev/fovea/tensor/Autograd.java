package dev.fovea.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** The backward engine and the no-grad switch. */
public final class Autograd {
    private Autograd() {}

    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    /** A scope in which nothing is recorded and nothing is saved for backward (inference, optimizer updates). */
    public static final class NoGrad implements AutoCloseable {
        private boolean closed;

        private NoGrad() {
            NO_GRAD_DEPTH.get()[0]++;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                NO_GRAD_DEPTH.get()[0]--;
            }
        }
    }

    /** {@code try (var g = Autograd.noGrad()) { ... }}, like {@code with torch.no_grad():}. */
    public static NoGrad noGrad() {
        return new NoGrad();
    }

    public static boolean isEnabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /**
     * Turns anomaly detection on or off for all threads, like {@code torch.autograd.set_detect_anomaly}: every
     * operation's output and every gradient is checked for NaN and infinity, and the first found throws an
     * {@link AnomalyException} naming the operation, its layer and its inputs' statistics (see {@link Anomaly}).
     * Slow (every value is read once more); off by default, and then free.
     */
    public static void detectAnomaly(boolean on) {
        Anomaly.enabled = on;
    }

    public static boolean isDetectingAnomaly() {
        return Anomaly.enabled;
    }

    static void backward(Tensor root, Tensor gradRoot) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward(): the tensor does not require grad (no parameter fed into it, or it was computed under noGrad)");
        }
        if (!Arrays.equals(root.shape, gradRoot.shape)) {
            throw new IllegalArgumentException("backward(): gradient of shape " + Shapes.str(gradRoot.shape) + " for a tensor of shape " + Shapes.str(root.shape));
        }
        if (gradRoot.dtype() != root.dtype()) {
            throw new IllegalArgumentException("backward(): a " + gradRoot.dtype() + " gradient for a " + root.dtype() + " tensor");
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, gradRoot);
        try (NoGrad g = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor gt = grads.remove(t);
                if (gt == null) continue;
                Node node = t.gradFn;
                if (node == null) {
                    t.accumulateGrad(gt);
                    continue;
                }
                if (t.retainsGrad()) t.accumulateGrad(gt);
                if (node.backward == null) {
                    throw new IllegalStateException("backward() through the graph of '" + node.op + "' a second time: its saved values were freed");
                }
                long t0 = OpProfile.isEnabled() ? System.nanoTime() : 0;
                Tensor[] gin = node.backward.apply(gt);
                if (t0 != 0) OpProfile.add("backward " + node.op, System.nanoTime() - t0);
                if (Anomaly.enabled) Anomaly.checkBackward(node, gt, gin);
                node.backward = null; // frees what the closure saved, as PyTorch does without retain_graph
                for (int k = 0; k < node.inputs.length; k++) {
                    Tensor in = node.inputs[k];
                    if (in == null || !in.requiresGrad() || gin[k] == null) continue;
                    Tensor prev = grads.get(in);
                    grads.put(in, prev == null ? gin[k] : Elementwise.sumOf(prev, gin[k]));
                }
            }
        }
    }

    /** Iterative depth-first search, so that deep networks do not overflow the stack. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.put(root, true);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] ins = t.gradFn == null ? new Tensor[0] : t.gradFn.inputs;
            if (next < ins.length) {
                top[1] = next + 1;
                Tensor in = ins[next];
                if (in != null && in.requiresGrad() && seen.put(in, true) == null) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
