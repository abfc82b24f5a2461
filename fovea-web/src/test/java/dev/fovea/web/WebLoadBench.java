package dev.fovea.web;

import com.sun.management.OperatingSystemMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * The web server under load, for BENCHMARKS.md: {@link LoadRig}'s prediction requests from 64 clients while a model
 * trains in the process, and again with training paused; each with the requests' kernels on their own threads
 * and spread over the shared kernel pool (what the server does). Prints a Markdown table. From the repository root,
 * after {@code mvn -B -o -pl fovea-web -am test-compile -DskipTests}:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp fovea-web/target/test-classes:fovea-web/target/classes:fovea-models/target/classes:\
 * fovea-data/target/classes:fovea-core/target/classes dev.fovea.web.WebLoadBench [clients] [requests]
 * </pre>
 */
public final class WebLoadBench {
    private WebLoadBench() {}

    /** The machine's busy CPU time in 1/100 s (/proc/stat: all but idle and iowait) and this JVM's CPU time in ns. */
    private static long[] cpu() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i <= 8 && i < f.length; i++) if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
        return new long[] {busy, ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime()};
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        System.out.println("Web server under load: " + clients + " clients, " + requests + " prediction requests (LeNet-5, half to a page of a model "
                + "training in the process, half to a page of a fixed model), " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        System.out.println();
        System.out.println("| training | request kernels | requests/s | p50 ms | p99 ms | errors | training steps meanwhile | CPU used by other processes |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
        for (boolean training : new boolean[] {true, false}) {
            for (boolean serial : new boolean[] {true, false}) {
                try (LoadRig rig = LoadRig.start(serial)) {
                    if (!training) {
                        rig.pauseTraining();
                        Thread.sleep(500);
                    }
                    rig.load(clients, Math.max(1000, requests / 10)); // warm-up
                    long[] before = cpu();
                    LoadRig.Result r = rig.load(clients, requests);
                    long[] after = cpu();
                    if (!training) rig.stopTraining();
                    // Other processes' share of the cores: the machine's busy time less this JVM's, over the run.
                    double others = ((after[0] - before[0]) / 100.0 - (after[1] - before[1]) / 1e9) / (r.seconds() * Runtime.getRuntime().availableProcessors());
                    System.out.printf("| %s | %s | %.0f | %.2f | %.2f | %d | %d | %.0f%% |%n", training ? "running" : "paused",
                            serial ? "own thread (serial)" : "shared pool", r.requestsPerSecond(), r.p50Millis(), r.p99Millis(), r.errors(), r.stepsTrained(),
                            100 * Math.max(0, others));
                }
            }
        }
    }
}
