package dev.fovea.bench;

import dev.fovea.kernels.Buf;
import dev.fovea.kernels.Kernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * SGEMM through {@code Kernels.vector().gemm(...)} on float32 buffers, C = op(A) . op(B) (beta 0), at the shapes of
 * {@link GemmShape#all()}. {@code ./fovea bench} runs it and turns the time per call into GFLOP/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
    @Param({"square.256", "square.512", "square.1024",
            "lenet.conv1.fwd", "lenet.conv1.wgrad", "lenet.conv1.igrad",
            "lenet.conv2.fwd", "lenet.conv2.wgrad", "lenet.conv2.igrad",
            "resnet.16x32x32.fwd", "resnet.16x32x32.wgrad", "resnet.16x32x32.igrad",
            "resnet.32x16x16.fwd", "resnet.32x16x16.wgrad", "resnet.32x16x16.igrad",
            "resnet.64x8x8.fwd", "resnet.64x8x8.wgrad", "resnet.64x8x8.igrad"})
    public String shape;

    private GemmShape s;
    private Buf.F32 a, b, c;
    private final Kernels kernels = Kernels.vector();

    @Setup
    public void setup() {
        s = GemmShape.named(shape);
        SplittableRandom rng = new SplittableRandom(1);
        a = random(rng, s.m() * s.k());
        b = random(rng, s.k() * s.n());
        c = new Buf.F32(new float[s.m() * s.n()]);
    }

    static Buf.F32 random(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rng.nextDouble() * 2 - 1);
        return new Buf.F32(x);
    }

    @Benchmark
    public Buf gemm() {
        kernels.gemm(s.ta(), s.tb(), s.m(), s.n(), s.k(), 1, a, 0, s.lda(), b, 0, s.ldb(), 0, c, 0, s.ldc());
        return c;
    }
}
