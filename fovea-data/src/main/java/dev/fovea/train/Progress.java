package dev.fovea.train;

import java.io.PrintStream;

/**
 * Keras-style progress: on a terminal, one bar redrawn in place (at most ten times a second); otherwise, such as
 * in a log file or CI, nothing until the epoch's summary line, so logs stay readable.
 */
final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private long lastDraw;
    private int lastWidth;

    Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    static boolean isTerminal() {
        var c = System.console();
        return c != null && c.isTerminal();
    }

    void update(String prefix, int done, int total, String suffix) {
        if (!terminal) return;
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        int width = 24;
        int filled = total == 0 ? width : (int) ((long) width * done / total);
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        String line = String.format("%s [%s] %d/%d %s", prefix, bar, done, total, suffix);
        out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
        lastWidth = line.length();
        out.flush();
    }

    /** Ends the bar (if any) and prints the epoch's line. */
    void line(String text) {
        if (terminal && lastWidth > 0) out.print("\r" + " ".repeat(lastWidth) + "\r");
        lastWidth = 0;
        out.println(text);
        out.flush();
    }
}
