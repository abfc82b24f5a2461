package dev.fovea.io;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fovea's strict JSON: round trips and refusals. */
class JsonTest {

    private static final String TRICKY = "quote \" backslash \\ slash / newline \n tab \t cr \r bell \u0007 nul \u0000"
            + " e-acute \u00e9 han \u6f22 emoji \uD83D\uDE00 end";

    @Test
    void nestedRoundTrip() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("empty map", new LinkedHashMap<>());
        inner.put("empty list", new ArrayList<>());
        inner.put("null", null);
        inner.put("t", true);
        inner.put("f", false);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z first", 1);
        m.put("a second", List.of(1, 2.5, "three", List.of(List.of()), inner));
        m.put(TRICKY, TRICKY);
        m.put("ints", new int[] {3, -4, 0});

        Object back = Json.parse(Json.write(m));
        Map<String, Object> expectedInner = new LinkedHashMap<>(inner);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("z first", 1L);
        expected.put("a second", List.of(1L, 2.5, "three", List.of(List.of()), expectedInner));
        expected.put(TRICKY, TRICKY);
        expected.put("ints", List.of(3L, -4L, 0L));
        assertEquals(expected, back);
        // Key order is kept.
        assertEquals(List.of("z first", "a second", TRICKY, "ints"), new ArrayList<>(((Map<?, ?>) back).keySet()));
        // Writing what was parsed gives the same text again.
        assertEquals(Json.write(m), Json.write(back));
    }

    @Test
    void numbersComeBackAsLongOrDouble() {
        for (long v : new long[] {0, 7, -7, Integer.MAX_VALUE + 1L, Long.MAX_VALUE, Long.MIN_VALUE}) {
            Object back = Json.parse(Json.write(v));
            assertInstanceOf(Long.class, back);
            assertEquals(v, back);
        }
        assertEquals(42L, Json.parse(Json.write(42)));
        for (double v : new double[] {0.0, 3.0, -2.5, 0.1, 1.0 / 3, 1e-300, 1.5e300, 6.02e23, -1e15, 123456789.125, Double.MIN_VALUE, Double.MAX_VALUE}) {
            Object back = Json.parse(Json.write(v));
            assertInstanceOf(Double.class, back, "for " + v);
            assertEquals(v, (Double) back, "for " + v);
        }
        assertEquals(0.5, Json.parse(Json.write(0.5f)));
        // Plain JSON numbers in all their forms.
        assertEquals(List.of(-0L, 12L, 1.5, -0.25, 1e3, 2.5e-3, 1E2, 3e+2), Json.parse("[-0, 12, 1.5, -0.25, 1e3, 2.5e-3, 1E2, 3e+2]"));
        assertInstanceOf(Double.class, Json.parse("1e3"));
    }

    @Test
    void parsesOrdinaryJsonText() {
        Object v = Json.parse(" {\n\t\"a\" : [1, 2.5, \"x\\u00e9\\n\\/\"],\r\n \"b\": {\"c\": null, \"d\": [true, false]}, \"e\": \"\\ud83d\\ude00\\b\\f\"} ");
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("c", null);
        b.put("d", List.of(true, false));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", List.of(1L, 2.5, "x\u00e9\n/"));
        expected.put("b", b);
        expected.put("e", "\uD83D\uDE00\b\f");
        assertEquals(expected, v);
        assertNull(Json.parse("null"));
        assertEquals("", Json.parse("\"\""));
        assertEquals(List.of(), Json.parse("[ ]"));
        assertEquals(Map.of(), Json.parse("{ }"));
    }

    private static void refused(String text, String inMessage) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text), "accepted: " + text);
        assertTrue(e.getMessage().contains(inMessage), "message for " + text + " lacks '" + inMessage + "': " + e.getMessage());
    }

    private static void refused(String text) {
        assertThrows(IllegalArgumentException.class, () -> Json.parse(text), "accepted: " + text);
    }

    @Test
    void trailingTextIsRefused() {
        refused("{} x", "after");
        refused("[1] ]", "after");
        refused("1 2", "after");
        refused("\"a\" \"b\"", "after");
        refused("nullx");
        refused("truefalse");
    }

    @Test
    void duplicateKeysAreRefused() {
        refused("{\"a\": 1, \"a\": 2}", "duplicate key \"a\"");
        refused("{\"a\": {\"b\": 1, \"b\": 1}}", "duplicate");
        // Also when the first value is null or false.
        refused("{\"a\": null, \"a\": 1}", "duplicate");
        refused("{\"k\": false, \"k\": false}", "duplicate");
        // The same key in different objects is fine.
        assertEquals(List.of(Map.of("a", 1L), Map.of("a", 2L)), Json.parse("[{\"a\": 1}, {\"a\": 2}]"));
    }

    @Test
    void unterminatedAndMalformedStructuresAreRefused() {
        refused("\"abc", "end");
        refused("[\"abc]", "end");
        refused("{\"a\": \"b}", "end");
        refused("\"abc\\", "end");
        refused("[1, 2", "end");
        refused("{\"a\": 1");
        refused("");
        refused("   ");
        refused("[1,]");
        refused("{\"a\": 1,}");
        refused("{a: 1}");
        refused("{'a': 1}");
        refused("{\"a\" 1}");
        refused("[1 2]");
        refused("\"raw\nnewline\"", "control");
        refused("\"raw\ttab\"", "control");
        refused("tru");
        refused("nul");
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void nestingDeeperThan64IsRefused() {
        assertInstanceOf(List.class, Json.parse(nested(64)));
        assertInstanceOf(List.class, Json.parse("[".repeat(64) + "1" + "]".repeat(64)));
        refused(nested(65), "64");
        refused("[".repeat(65) + "1" + "]".repeat(65), "64");
        refused("{\"a\":".repeat(65) + "{}" + "}".repeat(65), "64");
        // Far too deep input fails cleanly instead of overflowing the stack.
        refused(nested(100_000), "64");
        refused("[".repeat(100_000), "64");
    }

    @Test
    void badEscapesAreRefused() {
        refused("\"\\x\"", "escape");
        refused("\"\\a\"", "escape");
        refused("\"\\'\"", "escape");
        refused("\"\\u12\"", "escape");
        refused("\"\\u12G4\"", "escape");
        refused("\"\\u00\"", "escape");
        // Integer.parseInt would take a sign; JSON does not.
        refused("\"\\u+041\"", "escape");
        refused("\"\\u-041\"", "escape");
        refused("\"\\U0041\"", "escape");
        // Nor non-ASCII digits (a full-width zero).
        refused("\"\\u\uFF10041\"", "escape");
        assertEquals("A", Json.parse("\"\\u0041\""));
        assertEquals("\u00ff", Json.parse("\"\\u00FF\""));
    }

    @Test
    void nonFiniteAndMalformedNumbersAreRefused() {
        for (String s : List.of("NaN", "[NaN]", "Infinity", "-Infinity", "[1, -Infinity]", "{\"x\": NaN}")) refused(s);
        refused("1e999", "range");
        refused("-1e999", "range");
        refused("99999999999999999999", "number");
        // Not JSON numbers, though Java would parse them.
        for (String s : List.of("01", "-01", "1.", ".5", "+1", "1.e5", "1e", "1e+", "-", "0x10", "1.5.2", "--1", "1-2")) refused(s);
        // Writing refuses what it could not read back.
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(1, Float.NaN)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    @Test
    void errorMessagesGiveThePosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2, x]"));
        assertTrue(e.getMessage().contains("at character 7"), e.getMessage());
        assertTrue(Arrays.asList(e.getMessage().split(" ")).contains("JSON:"), e.getMessage());
    }
}
