package dev.fovea.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Gradient checks of reductions, views, matmul and the linear layer. */
class ReductionViewMatMulGradTest {

    @Test
    void sumAndMean() {
        Tensor x = GradCheck.param(51, 2, 3, 4);
        GradCheck.check("sum", in -> in.get(0).sum(), x);
        GradCheck.check("mean", in -> in.get(0).mean(), x);
        for (int d = -1; d < 3; d++) {
            for (boolean keep : new boolean[] {false, true}) {
                int dim = d;
                GradCheck.check("sum(" + dim + ", " + keep + ")", in -> in.get(0).sum(dim, keep), x);
                GradCheck.check("mean(" + dim + ", " + keep + ")", in -> in.get(0).mean(dim, keep), x);
            }
        }
    }

    @Test
    void scalarReductionsFeedingFurtherOps() {
        // The gradient of sum() arriving at x is a non-trivial number here (the weight of the product), so a
        // backward that rounded it, or ignored its value, would show.
        Tensor x = GradCheck.param(52, 3, 4), y = GradCheck.param(53, 3, 4);
        GradCheck.check("sum(x) * y", in -> in.get(1).mul(in.get(0).sum()), x, y);
        GradCheck.check("mean(x) * y", in -> in.get(1).mul(in.get(0).mean()), x, y);
        GradCheck.check("x - mean(x, 1)", in -> in.get(0).sub(in.get(0).mean(1, true)), x);
    }

    @Test
    void sumOfAllPassesTheIncomingGradientThroughExactly() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        x.sum().mul(1.0 / 3).backward();
        for (double g : x.grad().toDoubleArray()) assertEquals(1.0 / 3, g, 0.0); // float64 end to end, no rounding
    }

    @Test
    void reductionForwardValues() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(21, x.sum().item());
        assertEquals(3.5, x.mean().item());
        assertArrayEquals(new double[] {5, 7, 9}, x.sum(0, false).toDoubleArray());
        assertArrayEquals(new int[] {1, 3}, x.sum(0, true).shape());
        assertArrayEquals(new double[] {2, 5}, x.mean(1, false).toDoubleArray());
        assertArrayEquals(new int[] {2, 1}, x.mean(-1, true).shape());
        assertArrayEquals(new double[] {3, 6}, x.max(1, false).toDoubleArray());
        assertArrayEquals(new double[] {4, 5, 6}, x.max(0, true).toDoubleArray());
        assertEquals(6, x.max().item());
    }

    @Test
    void maxAllAndAlongADim() {
        Tensor x = GradCheck.distinctParam(54, 3, 4, 5);
        GradCheck.check("max", in -> in.get(0).max(), x);
        for (int d = 0; d < 3; d++) {
            for (boolean keep : new boolean[] {false, true}) {
                int dim = d;
                GradCheck.check("max(" + dim + ", " + keep + ")", in -> in.get(0).max(dim, keep), x);
            }
        }
    }

    @Test
    void maxGradientGoesToTheFirstOfTiedMaxima() {
        Tensor x = Tensor.of(new double[] {1, 3, 3, 0, 2, 2}, 2, 3).requiresGrad(true);
        x.max().backward();
        assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0}, x.grad().toDoubleArray());
        x.zeroGrad();
        x.max(1, false).sum().backward();
        assertArrayEquals(new double[] {0, 1, 0, 0, 1, 0}, x.grad().toDoubleArray());
    }

    @Test
    void views() {
        Tensor x = GradCheck.param(61, 2, 3, 4);
        GradCheck.check("reshape", in -> in.get(0).reshape(4, -1), x);
        GradCheck.check("view", in -> in.get(0).view(-1), x);
        GradCheck.check("flatten(1)", in -> in.get(0).flatten(1), x);
        GradCheck.check("permute", in -> in.get(0).permute(2, 0, 1), x);
        GradCheck.check("transpose", in -> in.get(0).transpose(0, 2), x);
        GradCheck.check("contiguous(permute)", in -> in.get(0).permute(1, 2, 0).contiguous(), x);
        GradCheck.check("reshape(permute)", in -> in.get(0).permute(1, 2, 0).reshape(3, 8), x);
        GradCheck.check("slice", in -> in.get(0).slice(2, 1, 3), x);
        GradCheck.check("slice of a slice", in -> in.get(0).slice(1, 1, 3).slice(0, 1, 2), x);
        GradCheck.check("slice of a transpose", in -> in.get(0).transpose(1, 2).slice(1, 1, 4), x);
        GradCheck.check("two slices summed", in -> in.get(0).slice(2, 0, 2).add(in.get(0).slice(2, 2, 4)), x);
    }

    @Test
    void pad2d() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        Tensor p = x.pad2d(1, 0, 2, 1);
        assertArrayEquals(new int[] {1, 3, 6}, p.shape());
        assertArrayEquals(new double[] {
                0, 0, 0, 0, 0, 0,
                0, 0, 1, 2, 3, 0,
                0, 0, 4, 5, 6, 0}, p.toDoubleArray());
        GradCheck.check("pad2d", in -> in.get(0).pad2d(2, 1, 0, 3), GradCheck.param(59, 2, 3, 4));
        GradCheck.check("pad2d of a transpose", in -> in.get(0).transpose(1, 2).pad2d(1, 1, 1, 1), GradCheck.param(60, 2, 3, 4));
    }

    @Test
    void concat() {
        Tensor a = GradCheck.param(62, 2, 1, 3), b = GradCheck.param(63, 2, 3, 3), c = GradCheck.param(64, 2, 2, 3);
        GradCheck.check("concat dim 1", in -> Tensor.concat(1, in.get(0), in.get(1), in.get(2)), a, b, c);
        Tensor d = GradCheck.param(65, 3, 4), e = GradCheck.param(66, 3, 2);
        GradCheck.check("concat dim -1", in -> Tensor.concat(-1, in.get(0), in.get(1)), d, e);
        GradCheck.check("concat of a transposed part", in -> Tensor.concat(0, in.get(0), in.get(1).transpose(0, 1)),
                GradCheck.param(67, 2, 3), GradCheck.param(68, 3, 4));
        Tensor constant = GradCheck.param(69, 2, 3).requiresGrad(false);
        GradCheck.check("concat with a constant", in -> Tensor.concat(0, in.get(0), in.get(1)), GradCheck.param(70, 1, 3), constant);
    }

    @Test
    void matmul() {
        GradCheck.check("matmul", in -> in.get(0).matmul(in.get(1)), GradCheck.param(71, 3, 5), GradCheck.param(72, 5, 4));
        GradCheck.check("matmul of transposed views", in -> in.get(0).transpose(0, 1).matmul(in.get(1).transpose(0, 1)),
                GradCheck.param(73, 5, 3), GradCheck.param(74, 4, 5));
        GradCheck.check("matmul with a constant", in -> in.get(0).matmul(in.get(1)), GradCheck.param(75, 1, 7),
                GradCheck.param(76, 7, 2).requiresGrad(false));
        GradCheck.check("x x^T", in -> in.get(0).matmul(in.get(0).transpose(0, 1)), GradCheck.param(77, 3, 4));
    }

    @Test
    void matmulForwardValues() {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new double[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertArrayEquals(new double[] {58, 64, 139, 154}, a.matmul(b).toDoubleArray());
        assertArrayEquals(new double[] {14, 32, 32, 77}, a.matmul(a.transpose(0, 1)).toDoubleArray());
    }

    @Test
    void linear() {
        Tensor x = GradCheck.param(81, 4, 5), w = GradCheck.param(82, 3, 5), b = GradCheck.param(83, 3);
        GradCheck.check("linear", in -> MatMul.linear(in.get(0), in.get(1), in.get(2)), x, w, b);
        GradCheck.check("linear without bias", in -> MatMul.linear(in.get(0), in.get(1), null), x, w);
        GradCheck.check("linear, weight only", in -> MatMul.linear(in.get(0), in.get(1), null),
                GradCheck.param(84, 2, 5).requiresGrad(false), w);
    }

    /** Gradients of sum((x W^T + b) * r) and of sum((x W) * r) in the given precision. */
    private static double[][] denseGrads(DType dtype) {
        Tensor x = GradCheck.param(88, 5, 7).detach().to(dtype).requiresGrad(true);
        Tensor w = GradCheck.param(89, 3, 7).detach().to(dtype).requiresGrad(true);
        Tensor b = GradCheck.param(90, 3).detach().to(dtype).requiresGrad(true);
        Tensor r = GradCheck.param(91, 5, 3).detach().to(dtype);
        MatMul.linear(x, w, b).mul(r).sum().backward();
        double[] gx = x.grad().toDoubleArray(), gw = w.grad().toDoubleArray(), gb = b.grad().toDoubleArray();
        x.zeroGrad();
        w.zeroGrad();
        x.matmul(w.transpose(0, 1)).mul(r).sum().backward();
        return new double[][] {gx, gw, gb, x.grad().toDoubleArray(), w.grad().toDoubleArray()};
    }

    @Test
    void float32DenseGradientsMatchFloat64() {
        // float32 runs the GEMM's fast path, float64 (where the gradient checks run) its generic path.
        double[][] g64 = denseGrads(DType.FLOAT64), g32 = denseGrads(DType.FLOAT32);
        for (int k = 0; k < g64.length; k++) assertArrayEquals(g64[k], g32[k], 1e-5, "gradient " + k);
    }

    @Test
    void linearMatchesXWTransposePlusB() {
        Tensor x = GradCheck.param(85, 4, 5).detach(), w = GradCheck.param(86, 3, 5).detach(), b = GradCheck.param(87, 3).detach();
        double[] y = MatMul.linear(x, w, b).toDoubleArray();
        for (int i = 0; i < 4; i++) {
            for (int o = 0; o < 3; o++) {
                double s = b.get(o);
                for (int k = 0; k < 5; k++) s += x.get(i, k) * w.get(o, k);
                assertEquals(s, y[i * 3 + o], 1e-12);
            }
        }
    }
}
