package dev.fovea.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.function.BinaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Gradient checks of the element-wise arithmetic (with broadcasting) and the point-wise activations. */
class ElementwiseGradTest {

    static Stream<Arguments> broadcastPairs() {
        int[][][] pairs = {
                {{2, 3, 4}, {2, 3, 4}},
                {{2, 3, 4}, {3, 1}},
                {{3, 1}, {2, 3, 4}},
                {{2, 3, 4}, {1}},
                {{2, 3, 4}, {}},
                {{}, {2, 3, 4}},
                {{2, 1, 4}, {3, 1}},
                {{1, 3, 1}, {2, 1, 4}},
        };
        String[] ops = {"add", "sub", "mul", "div"};
        Stream.Builder<Arguments> b = Stream.builder();
        for (String op : ops) for (int[][] p : pairs) b.add(Arguments.of(op, p[0], p[1]));
        return b.build();
    }

    private static BinaryOperator<Tensor> op(String name) {
        return switch (name) {
            case "add" -> Tensor::add;
            case "sub" -> Tensor::sub;
            case "mul" -> Tensor::mul;
            case "div" -> Tensor::div;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0} {1} with {2}")
    @MethodSource("broadcastPairs")
    void binaryOpsWithBroadcasting(String name, int[] sa, int[] sb) {
        Tensor a = GradCheck.param(11, sa);
        // Divisors kept away from zero so the quotient is smooth at the step size.
        Tensor b = name.equals("div") ? GradCheck.awayFromZero(12, 0.5, 2, sb) : GradCheck.param(12, sb);
        GradCheck.check(name, in -> op(name).apply(in.get(0), in.get(1)), a, b);
    }

    @ParameterizedTest(name = "{0} {1} with {2}: only the left operand")
    @MethodSource("broadcastPairs")
    void binaryOpsWithOneConstantOperand(String name, int[] sa, int[] sb) {
        Tensor a = GradCheck.param(13, sa);
        Tensor b = (name.equals("div") ? GradCheck.awayFromZero(14, 0.5, 2, sb) : GradCheck.param(14, sb)).requiresGrad(false);
        GradCheck.check(name, in -> op(name).apply(in.get(0), in.get(1)), a, b);
        GradCheck.check(name + " reversed", in -> op(name).apply(in.get(1), in.get(0)),
                name.equals("div") ? GradCheck.awayFromZero(15, 0.5, 2, sa) : GradCheck.param(15, sa), b);
    }

    @Test
    void broadcastForwardValues() {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor col = Tensor.of(new double[] {10, 20}, 2, 1);
        Tensor row = Tensor.of(new double[] {100, 200, 300}, 3);
        assertArrayEquals(new double[] {11, 12, 13, 24, 25, 26}, a.add(col).toDoubleArray());
        assertArrayEquals(new double[] {100, 400, 900, 400, 1000, 1800}, a.mul(row).toDoubleArray());
        assertArrayEquals(new double[] {-9, -8, -7, -16, -15, -14}, a.sub(col).toDoubleArray());
        assertArrayEquals(new double[] {0.1, 0.2, 0.3, 0.2, 0.25, 0.3}, a.div(col).toDoubleArray(), 1e-15);
        assertArrayEquals(new int[] {2, 3}, col.add(row).shape());
    }

    @Test
    void sameTensorOnBothSides() {
        GradCheck.check("x*x", in -> in.get(0).mul(in.get(0)), GradCheck.param(16, 3, 2));
        GradCheck.check("x/x + x", in -> in.get(0).div(in.get(0)).add(in.get(0)), GradCheck.awayFromZero(17, 0.5, 2, 4));
        GradCheck.check("x - x*x", in -> in.get(0).sub(in.get(0).square()), GradCheck.param(18, 5));
    }

    @Test
    void affineOps() {
        GradCheck.check("add scalar", in -> in.get(0).add(2.5), GradCheck.param(21, 2, 3));
        GradCheck.check("sub scalar", in -> in.get(0).sub(-1.25), GradCheck.param(22, 2, 3));
        GradCheck.check("mul scalar", in -> in.get(0).mul(-3.5), GradCheck.param(23, 2, 3));
        GradCheck.check("div scalar", in -> in.get(0).div(0.3), GradCheck.param(24, 2, 3));
        GradCheck.check("neg", in -> in.get(0).neg(), GradCheck.param(25, 2, 3));
        Tensor x = Tensor.of(new double[] {1, -2}, 2);
        assertArrayEquals(new double[] {-1.5, -10.5}, x.mul(3).sub(4.5).toDoubleArray());
        assertArrayEquals(new double[] {-0.5, 1}, x.neg().div(2).toDoubleArray());
    }

    @Test
    void unaryMath() {
        GradCheck.check("exp", in -> in.get(0).exp(), GradCheck.param(31, 3, 4));
        GradCheck.check("log", in -> in.get(0).log(), GradCheck.uniformParam(32, 0.2, 3, 3, 4));
        GradCheck.check("sqrt", in -> in.get(0).sqrt(), GradCheck.uniformParam(33, 0.2, 3, 3, 4));
        GradCheck.check("square", in -> in.get(0).square(), GradCheck.param(34, 3, 4));
        GradCheck.check("chain", in -> in.get(0).exp().add(1).log().sqrt(), GradCheck.param(35, 3, 4));
    }

    @Test
    void activations() {
        // Values at least 0.05 away from 0, where relu, leaky relu and elu have their kinks.
        GradCheck.check("relu", in -> in.get(0).relu(), GradCheck.awayFromZero(41, 0.05, 2, 4, 5));
        GradCheck.check("leakyRelu", in -> in.get(0).leakyRelu(0.1), GradCheck.awayFromZero(42, 0.05, 2, 4, 5));
        GradCheck.check("elu", in -> in.get(0).elu(1.0), GradCheck.awayFromZero(43, 0.05, 2, 4, 5));
        GradCheck.check("elu alpha 0.7", in -> in.get(0).elu(0.7), GradCheck.awayFromZero(44, 0.05, 3, 4, 5));
        GradCheck.check("tanh", in -> in.get(0).tanh(), GradCheck.param(45, 4, 5));
        GradCheck.check("sigmoid", in -> in.get(0).sigmoid(), GradCheck.uniformParam(46, -6, 6, 4, 5));
    }

    @Test
    void activationsThroughANonContiguousView() {
        // The input arrives transposed, so every op has to read it through contiguous().
        Tensor x = GradCheck.awayFromZero(47, 0.05, 2, 3, 4);
        GradCheck.check("relu(x^T)", in -> in.get(0).transpose(0, 1).relu(), x);
        GradCheck.check("elu(x^T)", in -> in.get(0).transpose(0, 1).elu(1.0), x);
        GradCheck.check("sigmoid(x^T) * x^T", in -> in.get(0).transpose(0, 1).sigmoid().mul(in.get(0).transpose(0, 1)), x);
    }

    @Test
    void activationForwardValues() {
        Tensor x = Tensor.of(new double[] {-2, -0.5, 0, 0.5, 2}, 5);
        assertArrayEquals(new double[] {0, 0, 0, 0.5, 2}, x.relu().toDoubleArray());
        assertArrayEquals(new double[] {-0.02, -0.005, 0, 0.5, 2}, x.leakyRelu(0.01).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {Math.exp(-2) - 1, Math.exp(-0.5) - 1, 0, 0.5, 2}, x.elu(1).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {Math.tanh(-2), Math.tanh(-0.5), 0, Math.tanh(0.5), Math.tanh(2)}, x.tanh().toDoubleArray(), 1e-15);
        double[] s = x.sigmoid().toDoubleArray();
        for (int i = 0; i < 5; i++) assertEquals(1 / (1 + Math.exp(-x.get(i))), s[i], 1e-15);
        // Sigmoid stays finite and exact at the extremes.
        Tensor big = Tensor.of(new double[] {-800, 800}, 2);
        assertArrayEquals(new double[] {0, 1}, big.sigmoid().toDoubleArray(), 0);
    }

    @Test
    void reluGradientAtZeroIsZero() {
        // PyTorch's convention: relu'(0) = 0.
        Tensor x = Tensor.of(new double[] {-1, 0, 1}, 3).requiresGrad(true);
        x.relu().sum().backward();
        assertArrayEquals(new double[] {0, 0, 1}, x.grad().toDoubleArray());
    }
}
