package dev.fovea.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Command-line options of the form {@code --name value}, {@code --name=value} or a bare {@code --flag}. */
final class Options {
    private record Spec(String name, String value, String fallback, String help) {}

    private final String usage;
    private final Map<String, Spec> specs = new LinkedHashMap<>();
    private final Map<String, String> given = new LinkedHashMap<>();

    Options(String usage) {
        this.usage = usage;
    }

    /** An option taking a value (shown as {@code value} in the help), with a default or null. */
    Options option(String name, String value, String fallback, String help) {
        specs.put(name, new Spec(name, value, fallback, help));
        return this;
    }

    Options flag(String name, String help) {
        specs.put(name, new Spec(name, null, null, help));
        return this;
    }

    /** Parses; false when the user asked for help. */
    boolean parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) return false;
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'; options start with --");
            String name = a.substring(2), value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Spec s = specs.get(name);
            if (s == null) throw new IllegalArgumentException("unknown option --" + name + "; see --help");
            if (s.value == null) {
                if (value != null) throw new IllegalArgumentException("option --" + name + " takes no value");
                value = "true";
            } else if (value == null) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("option --" + name + " needs a value (" + s.value + ")");
                value = args[++i];
            }
            given.put(name, value);
        }
        return true;
    }

    boolean given(String name) {
        return given.containsKey(name);
    }

    String text(String name) {
        return given.getOrDefault(name, specs.get(name).fallback);
    }

    boolean flag(String name) {
        return given.containsKey(name);
    }

    int integer(String name, int min) {
        String t = text(name);
        int v;
        try {
            v = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + ": expected a whole number, got '" + t + "'");
        }
        if (v < min) throw new IllegalArgumentException("option --" + name + ": must be at least " + min + ", got " + v);
        return v;
    }

    double number(String name) {
        String t = text(name);
        try {
            double v = Double.parseDouble(t);
            if (!Double.isFinite(v) || v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + ": expected a non-negative number, got '" + t + "'");
        }
    }

    /** The options as given, for a checkpoint's record. */
    Map<String, Object> givenOptions() {
        return new LinkedHashMap<>(given);
    }

    String help() {
        StringBuilder sb = new StringBuilder(usage).append("\n\nOptions:\n");
        List<String> left = new ArrayList<>();
        for (Spec s : specs.values()) left.add("  --" + s.name + (s.value == null ? "" : " " + s.value));
        int w = 0;
        for (String l : left) w = Math.max(w, l.length());
        int i = 0;
        for (Spec s : specs.values()) {
            String l = left.get(i++);
            sb.append(l).append(" ".repeat(w - l.length() + 2)).append(s.help);
            if (s.fallback != null) sb.append(" (default: ").append(s.fallback).append(')');
            sb.append('\n');
        }
        return sb.toString();
    }
}
