package dev.fovea.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Typed reads of a request's JSON object or query parameters, each failure an {@link IllegalArgumentException} naming the field. */
final class Requests {
    private Requests() {}

    static int requireInt(Map<String, Object> body, String key) {
        Integer v = optionalInt(body, key);
        if (v == null) throw new IllegalArgumentException("\"" + key + "\" is required");
        return v;
    }

    static Integer optionalInt(Map<String, Object> body, String key) {
        Object v = body.get(key);
        if (v == null) return null;
        if (v instanceof Long l && l == (int) (long) l) return (int) (long) l;
        if (v instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("\"" + key + "\" must be a whole number, got " + v);
    }

    static Double optionalNumber(Map<String, Object> body, String key) {
        Object v = body.get(key);
        if (v == null) return null;
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) return n.doubleValue();
        if (v instanceof String s) {
            try {
                double d = Double.parseDouble(s.trim());
                if (Double.isFinite(d)) return d;
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("\"" + key + "\" must be a number, got " + v);
    }

    static String requireString(Map<String, Object> body, String key) {
        if (body.get(key) instanceof String s && !s.isEmpty() && s.length() <= 1000) return s;
        throw new IllegalArgumentException("\"" + key + "\" must be a non-empty string");
    }

    static double[] vector(Map<String, Object> body, String key, int max) {
        if (!(body.get(key) instanceof List<?> list)) throw new IllegalArgumentException("\"" + key + "\" must be a list of numbers");
        if (list.isEmpty() || list.size() > max) throw new IllegalArgumentException("\"" + key + "\" needs 1 to " + max + " numbers, got " + list.size());
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw new IllegalArgumentException("\"" + key + "\" item " + i + " is not a finite number: " + list.get(i));
            }
            out[i] = n.doubleValue();
        }
        return out;
    }

    /** A rectangular list of rows of numbers, at most {@code max} x {@code max}. */
    static double[][] matrix(Map<String, Object> body, String key, int max) {
        if (!(body.get(key) instanceof List<?> rows) || rows.isEmpty() || rows.size() > max) {
            throw new IllegalArgumentException("\"" + key + "\" must be a list of 1 to " + max + " rows of numbers");
        }
        double[][] out = new double[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = vector(Map.of(key + " row " + r, rows.get(r)), key + " row " + r, max);
            if (out[r].length != out[0].length) throw new IllegalArgumentException("\"" + key + "\": every row needs " + out[0].length + " numbers; row " + r + " has " + out[r].length);
        }
        return out;
    }

    /** The query string's parameters (the last of repeated names wins); malformed escapes are a 400. */
    static Map<String, Object> query(String raw) {
        Map<String, Object> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return q;
        if (raw.length() > 4096) throw new IllegalArgumentException("the query string is too long");
        for (String part : raw.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq), v = eq < 0 ? "" : part.substring(eq + 1);
            q.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return q;
    }

    static int queryInt(Map<String, Object> q, String key, int absent) {
        Integer v = optionalInt(q, key);
        return v == null ? absent : v;
    }
}
