package dev.fovea.optim;

import dev.fovea.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parameters that share a learning rate, as a parameter group of a PyTorch optimizer: the group's rate is the
 * optimizer's rate (the base rate, which schedules move) times {@link #lrMultiplier()}. Fine-tuning gives early
 * layers a small multiplier and the new head 1.
 *
 * @param name         for messages and listings ("" for the default group)
 * @param params       the tensors, each in at most one group of an optimizer
 * @param lrMultiplier non-negative; 0 trains nothing (weight decay included), like a frozen group
 */
public record ParamGroup(String name, List<Tensor> params, double lrMultiplier) {
    public ParamGroup {
        if (name == null) name = "";
        if (!(lrMultiplier >= 0) || Double.isInfinite(lrMultiplier)) {
            throw new IllegalArgumentException("learning-rate multiplier of group '" + name + "' must be a non-negative number, got " + lrMultiplier);
        }
        params = List.copyOf(params);
    }

    public ParamGroup(List<Tensor> params, double lrMultiplier) {
        this("", params, lrMultiplier);
    }

    /** One group holding every parameter with multiplier 1: what the simple optimizer constructors make. */
    public static List<ParamGroup> single(List<Tensor> params) {
        return List.of(new ParamGroup("", params, 1));
    }

    /**
     * Splits named parameters (a state dict's names, such as {@link dev.fovea.nn.Module#namedParameters()}) into
     * groups by name prefix: each parameter joins the group of the longest prefix that matches it, the others a
     * first group with multiplier 1 named "". A prefix matches a name when it equals the name, or is followed in
     * it by a dot ("features" matches "features.0.weight" but not "features2.weight"), or itself ends with a dot.
     * Groups come out in the order default, then the prefixes'; empty groups are left out.
     *
     * @throws IllegalArgumentException when a prefix matches no parameter (a typo would otherwise pass silently)
     */
    public static List<ParamGroup> byPrefix(Map<String, Tensor> named, Map<String, Double> multipliers) {
        Map<String, List<Tensor>> members = new LinkedHashMap<>();
        members.put("", new ArrayList<>());
        for (String prefix : multipliers.keySet()) members.put(prefix, new ArrayList<>());
        for (var e : named.entrySet()) {
            String best = "";
            for (String prefix : multipliers.keySet()) {
                if (matches(e.getKey(), prefix) && prefix.length() > best.length()) best = prefix;
            }
            members.get(best).add(e.getValue());
        }
        List<ParamGroup> groups = new ArrayList<>();
        for (var e : members.entrySet()) {
            if (!e.getKey().isEmpty() && e.getValue().isEmpty()) {
                throw new IllegalArgumentException("prefix '" + e.getKey() + "' matches no parameter; parameters are named like "
                        + examples(named.keySet()));
            }
            if (e.getValue().isEmpty()) continue;
            groups.add(new ParamGroup(e.getKey(), e.getValue(), e.getKey().isEmpty() ? 1 : multipliers.get(e.getKey())));
        }
        return groups;
    }

    /** Whether the state-dict name {@code name} lies under {@code prefix} (see {@link #byPrefix}). */
    public static boolean matches(String name, String prefix) {
        if (prefix.isEmpty()) return false;
        if (name.equals(prefix)) return true;
        return name.startsWith(prefix.endsWith(".") ? prefix : prefix + ".");
    }

    /** A few names, for messages. */
    public static String examples(Set<String> names) {
        List<String> some = new ArrayList<>(names);
        return some.size() <= 4 ? String.join(", ", some) : String.join(", ", some.subList(0, 3)) + ", ..., " + some.getLast();
    }

    /** Every tensor of {@code groups} in order; a tensor in two groups is an error. */
    static List<Tensor> flatten(List<ParamGroup> groups) {
        if (groups.isEmpty()) throw new IllegalArgumentException("an optimizer needs at least one parameter group");
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                if (!seen.add(p)) throw new IllegalArgumentException("a parameter appears in more than one group (or twice in group '" + g.name() + "')");
                all.add(p);
            }
        }
        return all;
    }
}
