package dev.fovea.tensor;

import dev.fovea.kernels.Arena;
import dev.fovea.kernels.Buf;

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
        Pending grads = new Pending(gradRoot);
        grads.put(root, gradRoot);
        try (NoGrad g = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor gt = grads.take(t);
                if (gt == null) continue;
                Node node = t.gradFn;
                if (node == null) {
                    t.accumulateGrad(gt);
                    grads.done(gt);
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
                    if (gin[k] == null) continue;
                    if (in == null || !in.requiresGrad()) {
                        grads.discard(gin[k]);
                        continue;
                    }
                    Tensor prev = grads.get(in);
                    if (prev == null) {
                        grads.put(in, gin[k]);
                    } else {
                        grads.put(in, Elementwise.sumOf(prev, gin[k]));
                        grads.discard(gin[k]);
                    }
                }
                grads.done(gt);
            }
        }
    }

    /**
     * The gradients waiting to be sent back, with how many of them (and of those in hand) use each storage array,
     * so that an array nothing uses any more goes back to the step's {@link Arena} at once: a backward pass then
     * reuses the memory of the gradients it has consumed, as PyTorch's allocator does. The root's gradient is the
     * caller's and is never given back.
     */
    private static final class Pending {
        private final Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        private final Map<Object, int[]> users = new IdentityHashMap<>();
        private final Object rootStorage;

        Pending(Tensor gradRoot) {
            rootStorage = storage(gradRoot);
        }

        private static Object storage(Tensor t) {
            return t.buf instanceof Buf.F32 f ? f.a : t.buf;
        }

        Tensor get(Tensor key) {
            return grads.get(key);
        }

        /** Adds a gradient; one it replaces is done. */
        void put(Tensor key, Tensor g) {
            users.computeIfAbsent(storage(g), s -> new int[1])[0]++;
            Tensor old = grads.put(key, g);
            if (old != null) done(old);
        }

        /** Removes a gradient to use it; call {@link #done} when it has been used. */
        Tensor take(Tensor key) {
            return grads.remove(key);
        }

        /** A gradient that was put (or taken) has been used: its storage goes back when nothing else uses it. */
        void done(Tensor g) {
            Object s = storage(g);
            int[] n = users.get(s);
            if (n != null && --n[0] > 0) return;
            users.remove(s);
            if (s != rootStorage) Arena.recycle(g.buf);
        }

        /** A gradient that was never put (summed into another, or for an input that needs none) is not needed. */
        void discard(Tensor g) {
            Object s = storage(g);
            if (!users.containsKey(s) && s != rootStorage) Arena.recycle(g.buf);
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
