package dev.fovea.kernels;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spinning worker pool: ranges, failures, nesting, and many callers at once. */
class ParallelTest {

    @Test
    void everyItemRunsOnceInFixedRanges() {
        for (int n : new int[] {1, 2, 3, 7, 1000}) {
            for (int rep = 0; rep < 200; rep++) {
                int[] hits = new int[n];
                int[][] ranges = new int[Parallel.parts(n)][];
                Parallel.forRanges(n, (part, from, to) -> {
                    ranges[part] = new int[] {from, to};
                    for (int i = from; i < to; i++) hits[i]++;
                });
                for (int i = 0; i < n; i++) assertEquals(1, hits[i], "n=" + n + " item " + i);
                int parts = ranges.length;
                for (int p = 0; p < parts; p++) {
                    assertEquals((int) ((long) n * p / parts), ranges[p][0]);
                    assertEquals((int) ((long) n * (p + 1) / parts), ranges[p][1]);
                }
            }
        }
    }

    @Test
    void rangesRunOnTheWorkersWhenThereAreSeveralThreads() {
        Set<String> names = ConcurrentHashMap.newKeySet();
        for (int rep = 0; rep < 50; rep++) Parallel.forRanges(Parallel.threads(), (part, from, to) -> names.add(Thread.currentThread().getName()));
        assertEquals(Math.min(2, Parallel.threads()), Math.min(2, names.size()), names.toString());
    }

    @Test
    void aFailingRangeFailsTheCallAndThePoolGoesOn() {
        IllegalStateException boom = new IllegalStateException("boom");
        for (int failing = 0; failing < Parallel.parts(100); failing++) {
            int f = failing;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRanges(100, (part, from, to) -> {
                if (part == f) throw boom;
            }));
            assertSame(boom, e);
            AtomicInteger sum = new AtomicInteger();
            Parallel.forRanges(100, (part, from, to) -> sum.addAndGet(to - from));
            assertEquals(100, sum.get());
        }
    }

    @Test
    void nestedCallsRunSerially() {
        AtomicInteger inner = new AtomicInteger();
        Parallel.forRanges(4, (part, from, to) -> {
            for (int i = from; i < to; i++) {
                Parallel.forRanges(10, (p2, f2, t2) -> {
                    assertEquals(0, p2);
                    inner.addAndGet(t2 - f2);
                });
            }
        });
        assertEquals(40, inner.get());
    }

    @Test
    void manyCallersAtOnceEachGetTheirWholeResult() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int rep = 0; rep < 2000; rep++) {
                        long[] sums = new long[Parallel.threads()];
                        Parallel.forRanges(257, (part, from, to) -> {
                            for (int i = from; i < to; i++) sums[part] += i;
                        });
                        long total = 0;
                        for (long s : sums) total += s;
                        if (total != 256L * 257 / 2) throw new AssertionError("sum " + total);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            callers.add(th);
            th.start();
        }
        for (Thread th : callers) th.join();
        assertTrue(failure.get() == null, String.valueOf(failure.get()));
    }
}
