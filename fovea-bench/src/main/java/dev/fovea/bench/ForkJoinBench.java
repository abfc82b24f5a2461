package dev.fovea.bench;

import dev.fovea.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What splitting an operation over the kernels' worker threads costs by itself: {@code Parallel.forRanges} over
 * as many parts as threads ({@code -Dfovea.threads}), each part doing nothing but count in its own cache line. A training step of
 * LeNet-5 splits some 25 operations of 50-500 us each, so this has to stay far below a microsecond.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ForkJoinBench {
    /** One counter per part, 128 bytes apart, so that the parts do not contend for a cache line. */
    private final long[] counts = new long[16 * 64];

    @Benchmark
    public long forkJoin() {
        Parallel.forRanges(Parallel.threads(), (part, from, to) -> counts[16 * part]++);
        return counts[0];
    }
}
