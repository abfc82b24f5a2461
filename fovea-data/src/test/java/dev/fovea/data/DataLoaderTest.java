package dev.fovea.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {
    private static final int C = 2, H = 3, W = 4;

    private static FakeDataset fake(int size) {
        return new FakeDataset(size, C, H, W, 10);
    }

    /** Runs one epoch and returns its batches. */
    private static List<Batch> epoch(DataLoader loader) {
        List<Batch> batches = new ArrayList<>();
        for (Batch b : loader) {
            batches.add(b);
            if (batches.size() > 10_000) throw new AssertionError("runaway epoch");
        }
        return batches;
    }

    /** The dataset indices an epoch visits, in order. */
    private static int[] visited(List<Batch> batches) {
        return batches.stream().flatMapToInt(b -> Arrays.stream(b.indices())).toArray();
    }

    /** Every batch's images and labels are exactly the samples its indices name. */
    private static void assertContentMatchesIndices(List<Batch> batches) {
        for (Batch b : batches) {
            float[] pixels = b.images().toFloatArray();
            int per = C * H * W;
            for (int i = 0; i < b.size(); i++) {
                int index = b.indices()[i];
                assertEquals(index % 10, b.labels()[i]);
                for (int k = 0; k < per; k++) assertEquals(FakeDataset.value(index, k), pixels[i * per + k]);
            }
        }
    }

    @Test
    void everyIndexOnceWithAPartialLastBatch() {
        DataLoader loader = new DataLoader(fake(103), 10, true, 7);
        assertEquals(11, loader.batchesPerEpoch());
        List<Batch> batches = epoch(loader);
        assertEquals(11, batches.size());
        for (int i = 0; i < 10; i++) assertArrayEquals(new int[] {10, C, H, W}, batches.get(i).images().shape());
        assertArrayEquals(new int[] {3, C, H, W}, batches.get(10).images().shape());
        assertEquals(3, batches.get(10).labels().length);

        int[] order = visited(batches);
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 103; i++) assertEquals(i, sorted[i], "each index exactly once");
        assertFalse(Arrays.equals(order, sorted), "shuffled");
        assertContentMatchesIndices(batches);
    }

    @Test
    void dropLastDropsOnlyAPartialBatch() {
        DataLoader loader = new DataLoader(fake(103), 10, true, 7).dropLast(true);
        assertEquals(10, loader.batchesPerEpoch());
        List<Batch> batches = epoch(loader);
        assertEquals(10, batches.size());
        for (Batch b : batches) assertEquals(10, b.size());
        int[] order = visited(batches);
        assertEquals(100, Arrays.stream(order).distinct().count());

        DataLoader exact = new DataLoader(fake(100), 10, true, 7).dropLast(true);
        assertEquals(10, exact.batchesPerEpoch());
        assertEquals(10, epoch(exact).size());
        assertEquals(10, new DataLoader(fake(100), 10, true, 7).batchesPerEpoch());
    }

    @Test
    void batchLargerThanTheDataset() {
        assertEquals(1, epoch(new DataLoader(fake(5), 8, false, 0)).size());
        DataLoader dropped = new DataLoader(fake(5), 8, false, 0).dropLast(true);
        assertEquals(0, dropped.batchesPerEpoch());
        assertEquals(0, epoch(dropped).size());
    }

    @Test
    void withoutShuffleTheOrderIsTheIndexOrderEveryEpoch() {
        DataLoader loader = new DataLoader(fake(25), 4, false, 1);
        for (int e = 0; e < 3; e++) {
            int[] order = visited(epoch(loader));
            for (int i = 0; i < 25; i++) assertEquals(i, order[i]);
        }
    }

    @Test
    void sameSeedSameOrderDifferentEpochDifferentOrder() {
        DataLoader a = new DataLoader(fake(200), 16, true, 42);
        DataLoader b = new DataLoader(fake(200), 16, true, 42);
        int[] a0 = visited(epoch(a));
        int[] a1 = visited(epoch(a));
        assertArrayEquals(a0, visited(epoch(b)));
        assertArrayEquals(a1, visited(epoch(b)));
        assertFalse(Arrays.equals(a0, a1), "epochs 0 and 1 should differ");

        int[] other = visited(epoch(new DataLoader(fake(200), 16, true, 43)));
        assertFalse(Arrays.equals(a0, other), "seeds 42 and 43 should differ");
    }

    @Test
    void iterationCountOrSetEpochPicksTheEpoch() {
        DataLoader run = new DataLoader(fake(50), 8, true, 3);
        assertEquals(0, run.epoch());
        epoch(run);
        epoch(run);
        assertEquals(2, run.epoch());
        int[] third = visited(epoch(run));

        DataLoader resumed = new DataLoader(fake(50), 8, true, 3);
        resumed.setEpoch(2);
        assertArrayEquals(third, visited(epoch(resumed)));
        assertEquals(3, resumed.epoch());
        assertArrayEquals(resumed.order(2), third);
        assertThrows(IllegalArgumentException.class, () -> resumed.setEpoch(-1));
    }

    @Test
    void manyEpochOrdersAreDistinct() {
        DataLoader loader = new DataLoader(fake(30), 30, true, 0);
        List<String> seen = new ArrayList<>();
        for (int e = 0; e < 20; e++) seen.add(Arrays.toString(loader.order(e)));
        assertEquals(20, seen.stream().distinct().count());
    }

    @Test
    void prefetchChangesNothing() {
        DataLoader with = new DataLoader(fake(97), 8, true, 11);
        DataLoader without = new DataLoader(fake(97), 8, true, 11).prefetch(false);
        for (int e = 0; e < 3; e++) {
            List<Batch> x = epoch(with);
            List<Batch> y = epoch(without);
            assertEquals(x.size(), y.size());
            for (int i = 0; i < x.size(); i++) {
                assertArrayEquals(x.get(i).indices(), y.get(i).indices());
                assertArrayEquals(x.get(i).labels(), y.get(i).labels());
                assertArrayEquals(x.get(i).images().shape(), y.get(i).images().shape());
                assertArrayEquals(x.get(i).images().toFloatArray(), y.get(i).images().toFloatArray());
            }
            assertContentMatchesIndices(x);
        }
    }

    @Test
    void limitedDatasetThroughTheLoader() {
        DataLoader loader = new DataLoader(fake(1000).limit(25), 10, true, 5);
        assertEquals(3, loader.batchesPerEpoch());
        List<Batch> batches = epoch(loader);
        int[] sorted = visited(batches);
        Arrays.sort(sorted);
        for (int i = 0; i < 25; i++) assertEquals(i, sorted[i]);
        assertContentMatchesIndices(batches);
    }

    @Test
    void pastTheEndAndBadArguments() {
        Iterator<Batch> it = new DataLoader(fake(3), 2, false, 0).iterator();
        it.next();
        it.next();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(fake(3), 0, false, 0));
    }

    @Test
    void aFailingSampleSurfacesOnTheConsumerWithItsOwnException() {
        Dataset broken = new FakeDataset(20, 1, 1, 1, 2) {
            @Override
            public void sample(int index, float[] dst, int offset) {
                if (index == 13) throw new DataException("broken.idx: sample 13 is unreadable");
                super.sample(index, dst, offset);
            }
        };
        for (boolean prefetch : new boolean[] {true, false}) {
            DataLoader loader = new DataLoader(broken, 4, false, 0).prefetch(prefetch);
            DataException e = assertThrows(DataException.class, () -> epoch(loader));
            assertEquals("broken.idx: sample 13 is unreadable", e.getMessage());
        }
    }

    @Test
    void abandonedIteratorsLeaveNoStuckThread() throws InterruptedException {
        DataLoader loader = new DataLoader(fake(1000), 10, true, 9);
        for (int i = 0; i < 50; i++) {
            Iterator<Batch> it = loader.iterator();
            it.next(); // take one batch, leave the rest (and the one being prefetched) behind
        }
        // The background work drains: at most one prefetch thread exists, and it ends up idle, waiting for work.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<Thread> prefetchers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("fovea-data-prefetch"))
                    .toList();
            assertTrue(prefetchers.size() <= 1, "prefetch threads: " + prefetchers);
            boolean idle = prefetchers.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING);
            if (idle) {
                for (Thread t : prefetchers) assertTrue(t.isDaemon());
                break;
            }
            assertTrue(System.nanoTime() < deadline, "prefetch thread still busy: " + prefetchers);
            Thread.sleep(10);
        }
        // And the loader still works afterwards.
        assertEquals(100, epoch(loader).size());
    }

    @Test
    void batchRecordChecksItsParts() {
        assertThrows(IllegalArgumentException.class, () -> new Batch(
                dev.fovea.tensor.Tensor.of(new float[4], 2, 1, 1, 2), new int[3], new int[3]));
        assertThrows(IllegalArgumentException.class, () -> new Batch(
                dev.fovea.tensor.Tensor.of(new float[4], 2, 2), new int[2], new int[2]));
        Batch ok = new Batch(dev.fovea.tensor.Tensor.of(new float[4], 2, 1, 1, 2), new int[2], new int[2]);
        assertEquals(2, ok.size());
        assertNotEquals(null, ok.images());
    }
}
