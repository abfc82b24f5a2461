package dev.fovea.train;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What a stretch of training cost in memory, from the JVM's own counters: bytes allocated by all threads (the
 * trainer, the data loader and the kernel workers), the most heap in use after any step, and garbage collections.
 */
final class MemoryReport {
    private final long allocated0, gcCount0, gcMillis0;
    private long peakUsed;

    private MemoryReport(long allocated, long gcCount, long gcMillis) {
        this.allocated0 = allocated;
        this.gcCount0 = gcCount;
        this.gcMillis0 = gcMillis;
    }

    static MemoryReport start() {
        return new MemoryReport(allocatedBytes(), gcCount(), gcMillis());
    }

    private static long allocatedBytes() {
        var threads = ManagementFactory.getThreadMXBean();
        return threads instanceof com.sun.management.ThreadMXBean t ? t.getTotalThreadAllocatedBytes() : -1;
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, g.getCollectionCount());
        return n;
    }

    private static long gcMillis() {
        long n = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, g.getCollectionTime());
        return n;
    }

    /** Called after every step: the heap in use then, live data plus garbage not yet collected. */
    void sample() {
        Runtime rt = Runtime.getRuntime();
        peakUsed = Math.max(peakUsed, rt.totalMemory() - rt.freeMemory());
    }

    /**
     * One line describing the stretch since {@link #start()}, over {@code steps} optimizer steps, with the bytes
     * the step arena holds for reuse (part of the heap in use, not of the allocation).
     */
    String line(long steps, long arenaBytes) {
        long alloc = allocatedBytes();
        String perStep = alloc < 0 ? "n/a" : String.format("%.2f MB", (alloc - allocated0) / 1e6 / Math.max(1, steps));
        return String.format("memory: %s allocated per step, %.0f MB reused from step to step, peak heap in use %.0f MB (max %.0f MB), %d garbage collections (%d ms)",
                perStep, arenaBytes / 1e6, peakUsed / 1e6, Runtime.getRuntime().maxMemory() / 1e6, gcCount() - gcCount0, gcMillis() - gcMillis0);
    }
}
