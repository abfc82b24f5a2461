package dev.fovea.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much of the machine other processes used while a benchmark ran: the CPU time of the whole machine
 * (/proc/stat) less this JVM's own. On a 2-core machine anything else running skews every number, and the load
 * average reacts too slowly to say so; this does, after the fact, in the report.
 */
public final class CpuWatch {
    /** Linux reports /proc/stat in USER_HZ ticks, 100 per second on every mainstream configuration. */
    private static final double TICKS_PER_SECOND = 100;

    private final long busy0, own0, wall0;

    private CpuWatch() {
        busy0 = machineBusyTicks();
        own0 = ownCpuNanos();
        wall0 = System.nanoTime();
    }

    public static CpuWatch start() {
        return new CpuWatch();
    }

    /** The share of all CPUs that other processes used since {@link #start()}, in [0, 1], or NaN where unknown. */
    public double othersShare() {
        long busy = machineBusyTicks(), own = ownCpuNanos();
        if (busy < 0 || busy0 < 0 || own < 0 || own0 < 0) return Double.NaN;
        double wall = (System.nanoTime() - wall0) / 1e9;
        double others = (busy - busy0) / TICKS_PER_SECOND - (own - own0) / 1e9;
        return Math.max(0, Math.min(1, others / (wall * Machine.cores())));
    }

    /** "other processes used 2% of the CPUs during the run", with a warning above 5%. */
    public String note() {
        double s = othersShare();
        if (Double.isNaN(s)) return "CPU use of other processes unknown";
        String text = String.format("other processes used %.0f%% of the CPUs during the run", 100 * s);
        return s > 0.05 ? text + " (WARNING: the machine was not quiet; the numbers are noisy and low)" : text;
    }

    /** Busy ticks (everything but idle and iowait) of all CPUs, or -1. */
    static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i == 4 || i == 5) continue; // idle, iowait
                busy += Long.parseLong(f[i]);
            }
            return busy;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long ownCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
