package dev.fovea.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small GNU-style option parser: {@code --name value}, {@code --name=value} and flags. Unknown options and bad
 * values become a {@link UsageException} naming the option and, for typos, the closest valid one.
 */
final class Args {
    enum Kind { INT, NUMBER, TEXT, FLAG }

    record Option(String name, Kind kind, String metavar, String defaultValue, String help) {}

    private final String command;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positionals = new ArrayList<>();
    private final List<String> positionalNames = new ArrayList<>();
    private final java.util.Set<String> repeatable = new java.util.HashSet<>();
    private final String summary;

    Args(String command, String summary) {
        this.command = command;
        this.summary = summary;
    }

    Args option(String name, Kind kind, String metavar, String defaultValue, String help) {
        options.put(name, new Option(name, kind, metavar, defaultValue, help));
        return this;
    }

    Args flag(String name, String help) {
        return option(name, Kind.FLAG, null, null, help);
    }

    /** Lets a text option be given more than once; its values are joined with commas. */
    Args repeatable(String name) {
        repeatable.add(name);
        return this;
    }

    Args positional(String name) {
        positionalNames.add(name);
        return this;
    }

    /** True when --help was asked for (the caller prints {@link #help()}). */
    boolean parse(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--help") || a.equals("-h")) return true;
            if (!a.startsWith("--") || a.equals("--")) {
                positionals.add(a);
                continue;
            }
            String name = a.substring(2), value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option o = options.get(name);
            if (o == null) throw new UsageException("unknown option --" + name + suggestion(name));
            if (o.kind == Kind.FLAG) {
                if (value != null) throw new UsageException("option --" + name + " takes no value");
                values.put(name, "true");
                continue;
            }
            if (value == null) {
                if (i + 1 >= argv.length) throw new UsageException("option --" + name + " needs a value (" + o.metavar + ")");
                value = argv[++i];
            }
            check(o, value);
            if (repeatable.contains(name) && values.containsKey(name)) value = values.get(name) + "," + value;
            values.put(name, value);
        }
        if (positionals.size() > positionalNames.size()) {
            throw new UsageException("unexpected argument '" + positionals.get(positionalNames.size()) + "'");
        }
        return false;
    }

    private void check(Option o, String v) {
        try {
            if (o.kind == Kind.INT) Integer.parseInt(v);
            if (o.kind == Kind.NUMBER && !Double.isFinite(Double.parseDouble(v))) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + o.name + ": expected " + (o.kind == Kind.INT ? "a whole number" : "a number") + ", got '" + v + "'");
        }
    }

    private String suggestion(String name) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : options.keySet()) {
            int d = distance(name, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best != null && bestD <= Math.max(2, name.length() / 3) ? " (did you mean --" + best + "?)" : "; see 'fovea " + command + " --help'";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Whether an option of this name exists. */
    boolean declares(String name) {
        return options.containsKey(name);
    }

    boolean isFlag(String name) {
        return kind(name) == Kind.FLAG;
    }

    /** The kind of option {@code name}, or null when there is none. */
    Kind kind(String name) {
        Option o = options.get(name);
        return o == null ? null : o.kind;
    }

    /** The names of the options, in declaration order. */
    List<String> names() {
        return List.copyOf(options.keySet());
    }

    String positionalOrNull(int i) {
        return i < positionals.size() ? positionals.get(i) : null;
    }

    String requirePositional(int i) {
        if (i >= positionals.size()) throw new UsageException("missing " + positionalNames.get(i) + "; see 'fovea " + command + " --help'");
        return positionals.get(i);
    }

    private String raw(String name) {
        Option o = options.get(name);
        if (o == null) throw new IllegalStateException("option --" + name + " was not declared");
        return values.getOrDefault(name, o.defaultValue);
    }

    String text(String name) {
        return raw(name);
    }

    boolean flag(String name) {
        return "true".equals(raw(name));
    }

    boolean given(String name) {
        return values.containsKey(name);
    }

    int integer(String name, int min) {
        int v = Integer.parseInt(raw(name));
        if (v < min) throw new UsageException("option --" + name + ": must be at least " + min + ", got " + v);
        return v;
    }

    double number(String name, double min) {
        double v = Double.parseDouble(raw(name));
        if (v < min) throw new UsageException("option --" + name + ": must be at least " + min + ", got " + v);
        return v;
    }

    String help() {
        StringBuilder sb = new StringBuilder("usage: fovea ").append(command);
        for (String p : positionalNames) sb.append(' ').append(p);
        if (!options.isEmpty()) sb.append(" [options]");
        sb.append("\n\n").append(summary).append("\n");
        if (!options.isEmpty()) sb.append("\noptions:\n");
        for (Option o : options.values()) {
            String left = "  --" + o.name + (o.metavar == null ? "" : " " + o.metavar);
            sb.append(String.format("%-28s %s", left, o.help));
            if (o.defaultValue != null) sb.append(" (default: ").append(o.defaultValue).append(')');
            sb.append('\n');
        }
        sb.append(String.format("%-28s %s%n", "  --help", "show this help"));
        return sb.toString();
    }
}
