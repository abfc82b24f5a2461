package dev.fovea.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster on this machine, on 127.0.0.1: a master and a worker in child JVMs, the worker starting
 * executor JVMs for each application, all from this JVM's class path (Spark's jars as Maven resolved them, no Spark
 * installation: a stand-in SPARK_HOME satisfies the worker's command builder). For tests and benchmarks that need
 * executors in JVMs of their own; the caller points a SparkContext at {@link #masterUrl()} with
 * {@code spark.executor.extraClassPath} set to {@link #classPath()}.
 */
final class LoopbackCluster implements AutoCloseable {
    private final Path dir;
    private final String classPath;
    private final int masterPort;
    private final List<Process> processes = new ArrayList<>();

    private LoopbackCluster(Path dir, String classPath, int masterPort) {
        this.dir = dir;
        this.classPath = classPath;
        this.masterPort = masterPort;
    }

    /** Starts a master and a worker offering {@code cores} cores and {@code memory} (such as "2g"); logs go to {@code dir}. */
    static LoopbackCluster start(Path dir, int cores, String memory) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path home = Files.createDirectories(dir.resolve("spark-home/jars")).getParent();
        Files.writeString(home.resolve("RELEASE"), "Spark 4.2.0 (a stand-in home: the jars come from the class path)\n");
        LoopbackCluster c = new LoopbackCluster(dir, cp, freePort());
        try {
            c.processes.add(c.java("master", home, "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", "" + c.masterPort, "--webui-port", "" + freePort()));
            c.waitForMaster();
            c.processes.add(c.java("worker", home, "org.apache.spark.deploy.worker.Worker", c.masterUrl(),
                    "--host", "127.0.0.1", "--cores", "" + cores, "--memory", memory, "--webui-port", "" + freePort(),
                    "--work-dir", dir.resolve("work").toString()));
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The class path executors need (this JVM's). */
    String classPath() {
        return classPath;
    }

    private Process java(String name, Path sparkHome, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "--add-modules", "jdk.incubator.vector", "-cp", classPath, main));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    private void waitForMaster() throws IOException, InterruptedException {
        for (int i = 0; i < 600; i++) {
            try (Socket s = new Socket("127.0.0.1", masterPort)) {
                return;
            } catch (IOException e) {
                if (!processes.getFirst().isAlive()) throw new IllegalStateException("the Spark master exited: " + Files.readString(dir.resolve("master.log")));
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the Spark master did not open port " + masterPort + " within a minute");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Stops the worker (and so its executors), then the master. */
    @Override
    public void close() {
        for (Process p : processes.reversed()) {
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }
}
