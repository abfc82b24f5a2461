package dev.fovea.data;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Turns a {@link Dataset} into mini-batches, one epoch per iteration.
 *
 * <p><b>Order.</b> Each epoch visits every sample once. With shuffling on, the order is a Fisher-Yates shuffle
 * driven by an {@link Rng} that depends only on the seed and the epoch number, so a run repeats exactly, a resumed
 * run can pick up at any epoch with {@link #setEpoch(int)}, and different epochs see different orders. Each call to
 * {@link #iterator()} (each {@code for (Batch b : loader)}) runs the next epoch: 0, then 1, and so on.
 *
 * <p><b>Prefetch.</b> While the caller works on one batch, the next is assembled on a background daemon thread, so
 * copying pixels overlaps with training. At most two batches exist at a time: the one handed out and the one being
 * made. The background work is a single task per batch on a shared daemon thread, not a producer that runs ahead,
 * so an iterator that is abandoned half-way leaves nothing blocked: its last task finishes and is forgotten. The
 * batches are the same with and without prefetch; {@link #prefetch(boolean) prefetch(false)} builds them on the
 * caller's thread instead, which is easier to debug.
 *
 * <p>A loader is meant to be driven from one thread.
 */
public final class DataLoader implements Iterable<Batch> {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private boolean dropLast;
    private boolean prefetch = true;
    private int nextEpoch;

    /**
     * @param dataset   the samples
     * @param batchSize samples per batch, at least 1
     * @param shuffle   whether each epoch visits the samples in a fresh random order (for training) or in index
     *                  order (for evaluation)
     * @param seed      fixes every epoch's order; ignored without shuffling
     */
    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, long seed) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        if (dataset.sampleShape().length != 3) {
            throw new IllegalArgumentException(dataset.name() + ": samples must be C x H x W, not "
                    + Arrays.toString(dataset.sampleShape()));
        }
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    /**
     * Whether to drop the last batch of an epoch when it is smaller than the batch size; on for training when a
     * small final batch would give a noisy step (or upset batch normalisation). Off by default. Returns this.
     */
    public DataLoader dropLast(boolean dropLast) {
        this.dropLast = dropLast;
        return this;
    }

    /** Whether to assemble the next batch in the background; on by default. Returns this. */
    public DataLoader prefetch(boolean prefetch) {
        this.prefetch = prefetch;
        return this;
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch: the sample count divided by the batch size, rounded down with dropLast, else up. */
    public int batchesPerEpoch() {
        int n = dataset.size();
        int full = n / batchSize;
        return dropLast || n % batchSize == 0 ? full : full + 1;
    }

    /** The epoch the next {@link #iterator()} runs. */
    public int epoch() {
        return nextEpoch;
    }

    /** Makes the next {@link #iterator()} run epoch {@code epoch}, for example to resume a run where it stopped. */
    public void setEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be non-negative, got " + epoch);
        this.nextEpoch = epoch;
    }

    /** Runs one epoch, the one {@link #epoch()} names, and moves on to the next for the following call. */
    @Override
    public Iterator<Batch> iterator() {
        int epoch = nextEpoch;
        nextEpoch = epoch + 1;
        return new EpochIterator(epoch, order(epoch), batchesPerEpoch(), prefetch);
    }

    // ---------------------------------------------------------------- the batches themselves

    /** The order in which epoch {@code epoch} visits the samples. */
    int[] order(int epoch) {
        int[] order = new int[dataset.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (shuffle) epochRng(seed, epoch).shuffle(order);
        return order;
    }

    /**
     * The generator for one epoch's shuffle: a pure function of (seed, epoch), so any epoch can be recreated
     * without replaying the ones before it. SplitMix64's finaliser makes neighbouring pairs unrelated.
     */
    static Rng epochRng(long seed, int epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Rng(z ^ (z >>> 31));
    }

    /** Batch number {@code b} of the epoch whose order is {@code order}, in fresh arrays, as in epoch 0. */
    Batch batch(int[] order, int b) {
        return batch(order, b, 0);
    }

    /**
     * Batch number {@code b} of epoch {@code epoch}, whose order is {@code order}, in fresh arrays. The epoch
     * reaches the dataset ({@link Dataset#sample(int, int, float[], int)}) so augmentations can vary by epoch.
     */
    Batch batch(int[] order, int b, int epoch) {
        int start = b * batchSize;
        int size = Math.min(batchSize, order.length - start);
        int[] shape = dataset.sampleShape();
        int sampleSize = dataset.sampleSize();
        float[] pixels = new float[size * sampleSize];
        int[] labels = new int[size];
        int[] indices = new int[size];
        for (int i = 0; i < size; i++) {
            int index = order[start + i];
            dataset.sample(index, epoch, pixels, i * sampleSize);
            labels[i] = dataset.label(index);
            indices[i] = index;
        }
        Tensor images = Tensor.of(pixels, size, shape[0], shape[1], shape[2]);
        return new Batch(images, labels, indices);
    }

    private final class EpochIterator implements Iterator<Batch> {
        private final int epoch;
        private final int[] order;
        private final int batches;
        private final boolean prefetch;
        /** The number of the batch the next call to next() returns. */
        private int next;
        /** With prefetch, batch {@code next} being assembled in the background. */
        private Future<Batch> pending;

        EpochIterator(int epoch, int[] order, int batches, boolean prefetch) {
            this.epoch = epoch;
            this.order = order;
            this.batches = batches;
            this.prefetch = prefetch;
            if (prefetch && batches > 0) pending = startBatch(0);
        }

        @Override
        public boolean hasNext() {
            return next < batches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("the epoch has " + batches + " batches");
            Batch batch = prefetch ? await(pending) : batch(order, next, epoch);
            next++;
            if (prefetch) pending = next < batches ? startBatch(next) : null;
            return batch;
        }

        private Future<Batch> startBatch(int b) {
            return Prefetcher.EXECUTOR.submit(() -> batch(order, b, epoch));
        }
    }

    /** The result of a background batch, with the dataset's own exception (a DataException, say) rethrown as is. */
    private static Batch await(Future<Batch> pending) {
        try {
            return pending.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException("assembling a batch failed", cause);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the next batch", e);
        }
    }

    /**
     * The one background thread all loaders share. A daemon, so it never keeps the JVM alive, and it exits after
     * a while without work, so an idle program holds no thread at all. Tasks from several loaders simply queue.
     */
    private static final class Prefetcher {
        static final ThreadPoolExecutor EXECUTOR = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread t = new Thread(task, "fovea-data-prefetch");
                    t.setDaemon(true);
                    return t;
                });

        static {
            EXECUTOR.allowCoreThreadTimeOut(true);
        }
    }
}
