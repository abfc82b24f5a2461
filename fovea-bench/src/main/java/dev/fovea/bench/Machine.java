package dev.fovea.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** What the reports say about the machine: CPU, cores, SIMD flags, JVM. */
public final class Machine {
    private Machine() {}

    /** The nominal single-precision peak of one core of this machine's class (AMD EPYC Zen 4: 2 x 256-bit FMA pipes x 3.6 GHz). */
    public static final double NOMINAL_PEAK_GFLOPS_PER_CORE = 115;

    private static final List<String> SIMD_FLAGS = List.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512cd",
            "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512ifma", "avx512vbmi", "amx_tile");

    public static String cpuModel() {
        return cpuinfo("model name");
    }

    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The SIMD-related flags of /proc/cpuinfo, in a fixed order. */
    public static List<String> simdFlags() {
        Set<String> flags = new TreeSet<>(List.of(cpuinfo("flags").split("\\s+")));
        List<String> out = new ArrayList<>();
        for (String f : SIMD_FLAGS) if (flags.contains(f)) out.add(f);
        return out;
    }

    public static String jvm() {
        return System.getProperty("java.vm.vendor", "?") + " " + System.getProperty("java.vm.name", "JVM") + " " + Runtime.version();
    }

    public static String summary() {
        String siblings = cpuinfo("siblings"), cpuCores = cpuinfo("cpu cores");
        String topo = siblings.isEmpty() ? "" : " (/proc/cpuinfo: " + cpuCores + " cores, " + siblings + " siblings per package)";
        return cpuModel() + ", " + cores() + " logical CPUs" + topo + "; " + String.join(" ", simdFlags()) + "; " + jvm();
    }

    /**
     * What the rest of the machine is doing as a run starts: the CPU share others used over the last half second
     * (the load average, also shown, trails by a minute).
     */
    public static String quietNote() {
        CpuWatch w = CpuWatch.start();
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double s = w.othersShare();
        String load = loadAverageLine();
        if (Double.isNaN(s)) return load;
        String text = String.format("other processes were using %.0f%% of the CPUs; %s", 100 * s, load);
        return s > 0.05 ? text + " (WARNING: the machine is busy; expect noisy, lower numbers)" : text;
    }

    /** The 1-minute load average, or NaN where /proc/loadavg is missing. */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    public static String loadAverageLine() {
        return String.format("load average %.2f", loadAverage());
    }

    private static String cpuinfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) return line.substring(colon + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: say nothing
        }
        return "";
    }
}
