package dev.fovea.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** One local[2] Spark context for the whole test run (starting one takes seconds), stopped when the JVM exits. */
final class LocalSpark {
    private LocalSpark() {}

    private static JavaSparkContext sc;

    /** Two task threads; a failed task is tried up to 3 times (local[N, F]). */
    static synchronized JavaSparkContext get() {
        if (sc == null) {
            SparkConf conf = new SparkConf().setMaster("local[2,3]").setAppName("fovea-spark tests")
                    .set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.ui.showConsoleProgress", "false")
                    .set("spark.sql.shuffle.partitions", "2");
            sc = new JavaSparkContext(conf);
            sc.setLogLevel("WARN");
        }
        return sc;
    }

    /** Stops the context, for a test that needs its own (a JVM holds one at a time); the next get() starts another. */
    static synchronized void stop() {
        if (sc != null) sc.stop();
        sc = null;
    }

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(LocalSpark::stop));
    }
}
