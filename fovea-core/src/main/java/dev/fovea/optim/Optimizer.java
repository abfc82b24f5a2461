package dev.fovea.optim;

import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Updates parameters from their gradients. Parameters without a gradient (unused, or frozen with
 * {@code requiresGrad(false)}) are skipped entirely, weight decay included, as in PyTorch.
 *
 * <p><b>Parameter groups.</b> The parameters come in {@link ParamGroup groups}; group {@code g} trains at
 * {@code learningRate() * g.lrMultiplier()}. The simple constructors make one group with multiplier 1, and a
 * schedule moves {@link #learningRate()}, so every group follows it in proportion.
 *
 * <p><b>State.</b> Per-parameter state (momentum buffers, Adam's moments, step counts) is created lazily on a
 * parameter's first update, as in PyTorch, and can be taken out with {@link #exportState()} and put back with
 * {@link #importState(State)}, so that a checkpointed run resumes with exactly the same updates.
 */
public abstract class Optimizer {
    /**
     * An optimizer's state, keyed like PyTorch's {@code state_dict()["state"]}: tensors named
     * {@code "<parameter index>.<buffer>"} (the index counts parameters across groups in order), and JSON-able
     * {@code info}: {@code "params"} (the parameter count), {@code "steps"} (each parameter's update count) and,
     * for the record only, the hyperparameters. Tensors are copies in the parameters' precision.
     */
    public record State(String type, Map<String, Object> info, Map<String, Tensor> tensors) {
        public State {
            info = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(info));
            tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        }
    }

    protected final List<ParamGroup> groups;
    /** Every parameter, group after group; a parameter's position here is its index in the state. */
    protected final List<Tensor> params;
    protected double lr;
    private final List<Map<String, Tensor>> state = new ArrayList<>();
    private final long[] steps;

    protected Optimizer(List<ParamGroup> groups, double lr) {
        checkLr(lr);
        this.groups = List.copyOf(groups);
        this.params = ParamGroup.flatten(this.groups);
        this.lr = lr;
        for (int i = 0; i < params.size(); i++) state.add(new LinkedHashMap<>());
        this.steps = new long[params.size()];
    }

    private static void checkLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be a non-negative number, got " + lr);
    }

    /** Applies one update, using each parameter's accumulated {@link Tensor#grad()}. */
    public abstract void step();

    /** The name {@link #exportState()} records, such as "sgd" or "adam". */
    public abstract String typeName();

    /** The names of the per-parameter buffers this optimizer may keep. */
    protected abstract Set<String> bufferNames();

    /** Hyperparameters, for the record in exported state. */
    protected abstract Map<String, Object> hyperparameters();

    public void zeroGrad() {
        for (Tensor p : params) p.zeroGrad();
    }

    /** The base learning rate; group {@code g} uses this times its multiplier. */
    public double learningRate() {
        return lr;
    }

    public void setLearningRate(double lr) {
        checkLr(lr);
        this.lr = lr;
    }

    /** The momentum, for optimizers that have one (SGD, RMSprop); NaN for the others. */
    public double momentum() {
        return Double.NaN;
    }

    /**
     * Changes the momentum between two steps, as setting {@code param_groups[i]["momentum"]} does in PyTorch; the
     * momentum buffers are kept. Optimizers without momentum refuse.
     */
    public void setMomentum(double momentum) {
        throw new UnsupportedOperationException(typeName() + " has no momentum");
    }

    /**
     * Sets the coefficient a one-cycle schedule moves ({@link LearningRateSchedule#momentum}), as PyTorch's
     * {@code OneCycleLR} does: the momentum of SGD and RMSprop, {@code beta1} of Adam and AdamW.
     */
    public void setCycledMomentum(double momentum) {
        setMomentum(momentum);
    }

    /** The weight decay (L2, or decoupled for AdamW); NaN for an optimizer without one. */
    public double weightDecay() {
        return Double.NaN;
    }

    /**
     * Changes the weight decay between two steps, as setting {@code param_groups[i]["weight_decay"]} does in
     * PyTorch. Optimizers without weight decay refuse.
     */
    public void setWeightDecay(double weightDecay) {
        throw new UnsupportedOperationException(typeName() + " has no weight decay");
    }

    public List<ParamGroup> paramGroups() {
        return groups;
    }

    /** The learning rate group {@code g} uses now. */
    public double learningRate(int group) {
        return lr * groups.get(group).lrMultiplier();
    }

    // ---------------------------------------------------------------- per-parameter state

    /** Parameter {@code index}'s buffer {@code name}, or null before it was made. */
    protected final Tensor buffer(int index, String name) {
        return state.get(index).get(name);
    }

    /** Makes parameter {@code index}'s buffer {@code name}: zeros shaped and typed like the parameter. */
    protected final Tensor newBuffer(int index, String name) {
        if (!bufferNames().contains(name)) throw new IllegalStateException(typeName() + " has no buffer '" + name + "'");
        Tensor t = Tensor.zeros(params.get(index).dtype(), params.get(index).shape());
        state.get(index).put(name, t);
        return t;
    }

    /** Counts one more update of parameter {@code index} and returns the new count (1 on the first update). */
    protected final long countStep(int index) {
        return ++steps[index];
    }

    /** Copies of this optimizer's state; see {@link State}. */
    public State exportState() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("params", (long) params.size());
        List<Object> st = new ArrayList<>();
        for (long s : steps) st.add(s);
        info.put("steps", st);
        info.put("lr", lr);
        List<Object> gs = new ArrayList<>();
        for (ParamGroup g : groups) {
            Map<String, Object> gm = new LinkedHashMap<>();
            gm.put("name", g.name());
            gm.put("lrMultiplier", g.lrMultiplier());
            gm.put("params", (long) g.params().size());
            gs.add(gm);
        }
        info.put("groups", gs);
        info.put("hyperparameters", hyperparameters());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            for (var e : state.get(i).entrySet()) tensors.put(i + "." + e.getKey(), e.getValue().copy());
        }
        return new State(typeName(), info, tensors);
    }

    /**
     * Replaces this optimizer's state with {@code s}, which must come from the same kind of optimizer over
     * parameters of the same count and shapes. The learning rate and hyperparameters are not taken from it: they
     * are this optimizer's own (the trainer sets the rate from its schedule before every step). Nothing changes
     * when {@code s} does not fit.
     */
    public void importState(State s) {
        if (!typeName().equals(s.type())) {
            throw new IllegalArgumentException("optimizer state is for " + s.type() + ", this optimizer is " + typeName());
        }
        if (!(s.info().get("params") instanceof Number n) || n.longValue() != params.size()) {
            throw new IllegalArgumentException("optimizer state is for " + s.info().get("params") + " parameters, this optimizer has " + params.size());
        }
        long[] newSteps = new long[params.size()];
        if (s.info().get("steps") instanceof List<?> l) {
            if (l.size() != params.size()) throw new IllegalArgumentException("optimizer state has " + l.size() + " step counts for " + params.size() + " parameters");
            for (int i = 0; i < l.size(); i++) {
                if (!(l.get(i) instanceof Number v) || v.longValue() < 0 || v.doubleValue() != v.longValue()) {
                    throw new IllegalArgumentException("optimizer state: bad step count " + l.get(i));
                }
                newSteps[i] = v.longValue();
            }
        } else if (s.info().containsKey("steps")) {
            throw new IllegalArgumentException("optimizer state: \"steps\" is not a list");
        }
        List<Map<String, Tensor>> fresh = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) fresh.add(new LinkedHashMap<>());
        for (var e : s.tensors().entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            int index;
            try {
                index = dot < 1 ? -1 : Integer.parseInt(key.substring(0, dot));
            } catch (NumberFormatException ex) {
                index = -1;
            }
            if (index < 0 || index >= params.size()) throw new IllegalArgumentException("optimizer state: unexpected tensor '" + key + "'");
            String name = key.substring(dot + 1);
            if (!bufferNames().contains(name)) throw new IllegalArgumentException("optimizer state: " + typeName() + " has no buffer '" + name + "' (tensor '" + key + "')");
            Tensor p = params.get(index);
            if (!Arrays.equals(p.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("optimizer state: '" + key + "' has shape " + Arrays.toString(e.getValue().shape())
                        + ", parameter " + index + " has " + Arrays.toString(p.shape()));
            }
            Tensor t = Tensor.zeros(p.dtype(), p.shape());
            t.copyFrom(e.getValue());
            fresh.get(index).put(name, t);
        }
        for (int i = 0; i < params.size(); i++) {
            state.get(i).clear();
            state.get(i).putAll(fresh.get(i));
        }
        System.arraycopy(newSteps, 0, steps, 0, steps.length);
    }

    // ---------------------------------------------------------------- shared checks

    static double nonNegative(String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException(what + " must be a non-negative number, got " + v);
        return v;
    }

    static double unitInterval(String what, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(what + " must be in [0, 1), got " + v);
        return v;
    }

    static ParamGroup[] array(List<ParamGroup> groups) {
        return groups.toArray(ParamGroup[]::new);
    }
}
