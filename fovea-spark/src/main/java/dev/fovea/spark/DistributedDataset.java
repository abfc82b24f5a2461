package dev.fovea.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.List;

/**
 * A dataset spread over a Spark cluster: an RDD of {@link Shard}s, one per partition, each a contiguous range of the
 * samples, read by the executor that holds it and kept in its memory for the life of the job.
 *
 * <p>The driver sends each task only the source and a range (a few bytes), never the samples: the executors read
 * the files themselves. A lost executor's shards are read again by Spark from that lineage when a task needs them.
 * The ranges are {@code [floor(p * n / P), floor((p + 1) * n / P))} for partition p of P.
 */
public final class DistributedDataset {
    private final JavaRDD<Shard> shards;
    private final ShardSource.Info info;
    private final int size;
    private final int partitions;

    private DistributedDataset(JavaRDD<Shard> shards, ShardSource.Info info, int size, int partitions) {
        this.shards = shards;
        this.info = info;
        this.size = size;
        this.partitions = partitions;
    }

    /**
     * Reads the first {@code limit} samples of {@code source} (all when {@code limit} is 0 or more than there are)
     * into {@code partitions} shards, on the executors, and waits until every shard is in memory.
     */
    public static DistributedDataset read(JavaSparkContext sc, ShardSource source, int limit, int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        if (limit < 0) throw new IllegalArgumentException("limit must not be negative, got " + limit);
        // The executors are asked what the split holds, so the driver never needs the files itself.
        ShardSource.Info info = sc.parallelize(List.of(source), 1).map(ShardSource::info).first();
        int size = limit == 0 ? info.size() : Math.min(limit, info.size());
        if (size < partitions) throw new IllegalArgumentException(info.name() + ": " + size + " samples cannot fill " + partitions + " partitions");
        List<int[]> ranges = new ArrayList<>();
        for (int p = 0; p < partitions; p++) ranges.add(new int[] {start(p, size, partitions), start(p + 1, size, partitions) - start(p, size, partitions)});
        JavaRDD<Shard> shards = sc.parallelize(ranges, partitions)
                .map(r -> Shard.read(source, r[0], r[1]))
                .setName(info.name() + " shards")
                .persist(StorageLevel.MEMORY_ONLY());
        long read = shards.map(Shard::size).reduce(Integer::sum);
        if (read != size) throw new IllegalStateException(info.name() + ": the shards hold " + read + " samples, expected " + size);
        return new DistributedDataset(shards, info, size, partitions);
    }

    /** {@code n} random images of {@code shape} in {@code classes} classes ({@link Shard#synthetic}), made on the executors. */
    static DistributedDataset synthetic(JavaSparkContext sc, int n, int[] shape, int classes, int partitions, long seed) {
        List<int[]> ranges = new ArrayList<>();
        for (int p = 0; p < partitions; p++) ranges.add(new int[] {start(p, n, partitions), start(p + 1, n, partitions) - start(p, n, partitions)});
        JavaRDD<Shard> shards = sc.parallelize(ranges, partitions).map(r -> Shard.synthetic(seed, r[0], r[1], shape, classes))
                .setName("synthetic shards").persist(StorageLevel.MEMORY_ONLY());
        shards.count();
        ArrayList<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) names.add("class " + c);
        return new DistributedDataset(shards, new ShardSource.Info("synthetic", n, shape, names, null, null), n, partitions);
    }

    /** The first sample of partition {@code p} of {@code partitions} over {@code n} samples. */
    static int start(int p, int n, int partitions) {
        return (int) ((long) p * n / partitions);
    }

    JavaRDD<Shard> shards() {
        return shards;
    }

    /** The number of samples (after the limit). */
    public int size() {
        return size;
    }

    public int partitions() {
        return partitions;
    }

    /** The samples of partition {@code p}: {@code [partitionStart(p), partitionStart(p + 1))}. */
    public int partitionStart(int p) {
        return start(p, size, partitions);
    }

    /** The whole split's name, size (before the limit), shape, classes and normalisation. */
    public ShardSource.Info info() {
        return info;
    }

    public int numClasses() {
        return info.classNames().size();
    }

    /** Frees the executors' memory. */
    public void release() {
        shards.unpersist(false);
    }
}
