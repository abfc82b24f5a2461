package dev.fovea.nn;

import dev.fovea.tensor.Anomaly;
import dev.fovea.tensor.Autograd;
import dev.fovea.tensor.OpProfile;
import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer or a network of layers, as in {@code torch.nn.Module}: it owns parameters (tensors that train),
 * buffers (state that does not train, such as batch-norm running statistics) and child modules, all named,
 * so that a model has a state dict with dotted names like {@code features.0.weight}.
 *
 * <p>Subclasses implement {@link #forward(Tensor)}; callers use {@link #call(Tensor)}, which also lets
 * {@link Summary} observe each layer. {@link #config()} returns the constructor arguments, from which a model
 * file rebuilds the module without running any code it reads.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    public abstract Tensor forward(Tensor x);

    /** Runs {@link #forward(Tensor)}, reporting the call to an active {@link Summary} and {@link CallObserver}. */
    public final Tensor call(Tensor x) {
        if (Anomaly.isEnabled()) return callInLayer(x);
        return callObserved(x);
    }

    /** {@link #call} while anomaly detection is on: tells it which layer the operations belong to. */
    private Tensor callInLayer(Tensor x) {
        Anomaly.Layer parent = Anomaly.currentLayer();
        String path = "";
        if (parent != null && parent.owner() instanceof Module p) {
            String name = p.pathTo(this);
            path = parent.path().isEmpty() ? name : name.isEmpty() ? parent.path() : parent.path() + "." + name;
        }
        Anomaly.enterLayer(this, path, typeName());
        try {
            return callObserved(x);
        } finally {
            Anomaly.exitLayer();
        }
    }

    /** The dotted path from this module to {@code m}, which it calls; its type name if it is not below this one. */
    private String pathTo(Module m) {
        for (var e : children.entrySet()) if (e.getValue() == m) return e.getKey();
        for (var e : namedModules().entrySet()) if (e.getValue() == m) return e.getKey();
        return "(" + m.typeName() + ")";
    }

    private Tensor callObserved(Tensor x) {
        long t0 = OpProfile.isEnabled() && children.isEmpty() ? System.nanoTime() : 0;
        Tensor y = forward(x);
        if (t0 != 0) OpProfile.add("forward " + typeName(), System.nanoTime() - t0);
        Summary.observe(this, x, y);
        CallObserver o = OBSERVER.get();
        if (o != null) o.called(this, x, y);
        return y;
    }

    /** Sees every {@link #call(Tensor)} on one thread, after the module's forward: for diagnostics. */
    @FunctionalInterface
    public interface CallObserver {
        void called(Module module, Tensor input, Tensor output);
    }

    private static final ThreadLocal<CallObserver> OBSERVER = new ThreadLocal<>();

    /** Runs {@code action} on this thread with {@code observer} seeing every module call; returns its result. */
    public static <T> T observeCalls(CallObserver observer, java.util.function.Supplier<T> action) {
        CallObserver prev = OBSERVER.get();
        OBSERVER.set(observer);
        try {
            return action.get();
        } finally {
            if (prev == null) OBSERVER.remove();
            else OBSERVER.set(prev);
        }
    }

    /** Threads inside {@link #predict}: every module answers {@link #isTraining()} with false there. */
    private static final ThreadLocal<boolean[]> PREDICTING = ThreadLocal.withInitial(() -> new boolean[1]);

    /**
     * Runs the model in evaluation mode without recording a graph; the model's own mode is left as it is. The mode
     * is switched for the calling thread only, so many threads may predict with one model at once, and with the same
     * results as one thread, even while it is in training mode.
     */
    public Tensor predict(Tensor x) {
        boolean[] predicting = PREDICTING.get();
        boolean was = predicting[0];
        predicting[0] = true;
        try (var ignored = Autograd.noGrad()) {
            return call(x);
        } finally {
            predicting[0] = was;
        }
    }

    // ---------------------------------------------------------------- registration

    protected final Tensor registerParameter(String name, Tensor t) {
        checkName(name);
        t.requiresGrad(true);
        params.put(name, t);
        return t;
    }

    protected final Tensor registerBuffer(String name, Tensor t) {
        checkName(name);
        buffers.put(name, t);
        return t;
    }

    protected final <M extends Module> M registerModule(String name, M m) {
        checkName(name);
        children.put(name, m);
        return m;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("bad member name '" + name + "'");
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("member '" + name + "' registered twice in " + typeName());
        }
    }

    /** Replaces a registered parameter's tensor (for example when a checkpoint brings a new one). */
    protected final void replaceParameter(String name, Tensor t) {
        if (!params.containsKey(name)) throw new IllegalArgumentException("no parameter '" + name + "'");
        t.requiresGrad(true);
        params.put(name, t);
    }

    /** Replaces a child module, keeping its place in the order. */
    public void replaceModule(String name, Module m) {
        if (!children.containsKey(name)) throw new IllegalArgumentException("no child module '" + name + "' in " + typeName());
        children.put(name, m);
    }

    protected final Tensor param(String name) {
        return params.get(name);
    }

    protected final Tensor buffer(String name) {
        return buffers.get(name);
    }

    // ---------------------------------------------------------------- traversal

    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every module below and including this one, by dotted path ("" for this one), in registration order. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        for (var e : children.entrySet()) e.getValue().collectModules(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out);
    }

    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var m : namedModules().entrySet()) {
            for (var p : m.getValue().params.entrySet()) out.put(join(m.getKey(), p.getKey()), p.getValue());
        }
        return out;
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var m : namedModules().entrySet()) {
            for (var b : m.getValue().buffers.entrySet()) out.put(join(m.getKey(), b.getKey()), b.getValue());
        }
        return out;
    }

    /** Parameters and buffers by dotted name: everything a model file stores besides the architecture. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var m : namedModules().entrySet()) {
            for (var p : m.getValue().params.entrySet()) out.put(join(m.getKey(), p.getKey()), p.getValue());
            for (var b : m.getValue().buffers.entrySet()) out.put(join(m.getKey(), b.getKey()), b.getValue());
        }
        return out;
    }

    /**
     * Copies values from {@code state} into this model's tensors. Strict, like PyTorch's default: every name must
     * be present on both sides with the same shape, or nothing is changed and the error lists the differences.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = stateDict();
        List<String> problems = new ArrayList<>();
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) problems.add("missing " + e.getKey());
            else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                problems.add(e.getKey() + ": shape " + Arrays.toString(src.shape()) + " where the model has " + Arrays.toString(e.getValue().shape()));
            }
        }
        for (String k : state.keySet()) if (!own.containsKey(k)) problems.add("unexpected " + k);
        if (!problems.isEmpty()) throw new IllegalArgumentException("state dict does not fit " + typeName() + ": " + String.join("; ", problems));
        for (var e : own.entrySet()) e.getValue().copyFrom(state.get(e.getKey()));
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    // ---------------------------------------------------------------- modes

    /** Training mode (batch statistics, active dropout) for this module and all below it. Returns this. */
    public Module train() {
        return train(true);
    }

    public Module train(boolean on) {
        for (Module m : namedModules().values()) m.training = on;
        return this;
    }

    /** Evaluation mode (running statistics, no dropout). Returns this. */
    public Module eval() {
        return train(false);
    }

    /** Whether this module computes in training mode: its mode, except inside {@link #predict} on this thread. */
    public boolean isTraining() {
        return training && !PREDICTING.get()[0];
    }

    // ---------------------------------------------------------------- description

    /** The name a model file stores for this module's type; the simple class name unless overridden. */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /** Constructor arguments by name, enough to rebuild this module (without its weights). */
    public Map<String, Object> config() {
        return new LinkedHashMap<>();
    }

    /** Multiply-accumulate operations for one example, given this module's input and output shapes (batch first). */
    public long multiplyAdds(int[] inputShape, int[] outputShape) {
        return 0;
    }

    /** A printable table of layers with output shapes, parameters and multiply-adds, for one input of this shape. */
    public Summary summary(int... inputShape) {
        return Summary.of(this, inputShape);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(typeName()).append('(');
        Map<String, Object> cfg = config();
        if (children.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (var e : cfg.entrySet()) parts.add(e.getKey() + "=" + format(e.getValue()));
            return sb.append(String.join(", ", parts)).append(')').toString();
        }
        sb.append('\n');
        for (var e : children.entrySet()) {
            sb.append("  (").append(e.getKey()).append("): ").append(e.getValue().toString().replace("\n", "\n  ")).append('\n');
        }
        return sb.append(')').toString();
    }

    private static String format(Object v) {
        return v instanceof int[] a ? Arrays.toString(a) : String.valueOf(v);
    }
}
