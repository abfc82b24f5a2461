package dev.fovea.bench;

import dev.fovea.tensor.Autograd;
import dev.fovea.tensor.Convolution;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Each pass of {@code Convolution.conv2d} over a whole mini-batch at the layer shapes of {@link ConvLayer#ALL}:
 * the forward pass (no graph recorded), and the two backward passes, each timed alone: before every call a
 * forward pass records a graph in which only the input (or only the weight) needs a gradient, and the measured
 * call is {@code backward} of that graph. Each pass does {@link ConvLayer#flops()} floating-point operations.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {
    private static final int[] ONES = {1, 1};

    @State(Scope.Thread)
    public static class Layer {
        @Param({"lenet.conv1", "lenet.conv2", "resnet.16x32x32", "resnet.32x16x16", "resnet.64x8x8"})
        public String layer;

        ConvLayer spec;
        Tensor x, w, b, gy;
        int[] pad;

        @Setup
        public void setup() {
            spec = ConvLayer.named(layer);
            Rng rng = new Rng(1);
            x = Tensor.randn(rng, spec.batch(), spec.cin(), spec.size(), spec.size());
            w = Tensor.randn(rng, spec.cout(), spec.cin(), spec.k(), spec.k()).mul(0.1);
            b = spec.bias() ? Tensor.randn(rng, spec.cout()) : null;
            gy = Tensor.randn(rng, spec.batch(), spec.cout(), spec.out(), spec.out());
            pad = new int[] {spec.pad(), spec.pad()};
        }

        Tensor conv(Tensor input, Tensor weight) {
            return Convolution.conv2d(input, weight, b, ONES, pad, ONES, 1);
        }
    }

    /** A fresh graph in which only the input requires a gradient. */
    @State(Scope.Thread)
    public static class InputGraph {
        Tensor x, y;

        @Setup(Level.Invocation)
        public void record(Layer l) {
            x = l.x.detach().requiresGrad(true);
            y = l.conv(x, l.w);
        }
    }

    /** A fresh graph in which only the weight requires a gradient. */
    @State(Scope.Thread)
    public static class WeightGraph {
        Tensor w, y;

        @Setup(Level.Invocation)
        public void record(Layer l) {
            w = l.w.detach().requiresGrad(true);
            y = l.conv(l.x, w);
        }
    }

    @Benchmark
    @SuppressWarnings("try")
    public Tensor forward(Layer l) {
        try (var ignored = Autograd.noGrad()) {
            return l.conv(l.x, l.w);
        }
    }

    @Benchmark
    public Tensor inputGrad(Layer l, InputGraph g) {
        g.y.backward(l.gy);
        return g.x.grad();
    }

    @Benchmark
    public Tensor weightGrad(Layer l, WeightGraph g) {
        g.y.backward(l.gy);
        return g.w.grad();
    }
}
