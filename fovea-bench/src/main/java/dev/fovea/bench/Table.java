package dev.fovea.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: the first {@code leftColumns} columns left-aligned, the rest right-aligned. */
public final class Table {
    private final String[] header;
    private final int leftColumns;
    private final List<String[]> rows = new ArrayList<>();

    public Table(int leftColumns, String... header) {
        this.header = header;
        this.leftColumns = leftColumns;
    }

    public Table row(Object... cells) {
        String[] r = new String[header.length];
        for (int i = 0; i < r.length; i++) r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
        rows.add(r);
        return this;
    }

    public void print(PrintStream out) {
        int[] w = new int[header.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = header[i].length();
            for (String[] r : rows) w[i] = Math.max(w[i], r[i].length());
        }
        out.println(line(header, w));
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < w.length; i++) rule.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        out.println(rule);
        for (String[] r : rows) out.println(line(r, w));
    }

    /** The table as Markdown, for BENCHMARKS.md. */
    public void printMarkdown(PrintStream out) {
        out.println("| " + String.join(" | ", header) + " |");
        StringBuilder sep = new StringBuilder("|");
        for (int i = 0; i < header.length; i++) sep.append(i < leftColumns ? " --- |" : " ---: |");
        out.println(sep);
        for (String[] r : rows) out.println("| " + String.join(" | ", r) + " |");
    }

    private String line(String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) sb.append("  ");
            String c = cells[i];
            String pad = " ".repeat(w[i] - c.length());
            sb.append(i < leftColumns ? c + (i == cells.length - 1 ? "" : pad) : pad + c);
        }
        return sb.toString().stripTrailing();
    }
}
