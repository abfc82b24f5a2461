package dev.fovea.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Creation, views, broadcasting, reductions, and the autograd engine's rules. */
class TensorBasicsTest {

    private static double[] range(int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should mention " + p);
    }

    // ---------------------------------------------------------------- creation

    @Test
    void creation() {
        Tensor f = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(new int[] {2, 3}, f.shape());
        assertEquals(2, f.dim());
        assertEquals(6, f.numel());
        assertEquals(3, f.size(-1));
        assertEquals(6, f.get(1, 2));
        Tensor d = Tensor.of(range(4), 4);
        assertEquals(DType.FLOAT64, d.dtype());
        assertArrayEquals(new double[] {0, 0, 0}, Tensor.zeros(3).toDoubleArray());
        assertEquals(DType.FLOAT64, Tensor.zeros(DType.FLOAT64, 2).dtype());
        assertArrayEquals(new double[] {1, 1}, Tensor.ones(2).toDoubleArray());
        assertArrayEquals(new double[] {7.5, 7.5}, Tensor.full(7.5, 2).toDoubleArray());
        Tensor s = Tensor.scalar(3);
        assertEquals(0, s.dim());
        assertEquals(1, s.numel());
        assertEquals(3, s.item());
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[5], 2, 3)), "5", "[2, 3]");
        assertThrows(IllegalStateException.class, f::item);
        assertThrows(IndexOutOfBoundsException.class, () -> f.get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> f.get(1));
    }

    @Test
    void randomCreationIsReproducible() {
        assertArrayEquals(Tensor.randn(new Rng(4), 3, 3).toDoubleArray(), Tensor.randn(new Rng(4), 3, 3).toDoubleArray(), 0.0);
        double[] u = Tensor.uniform(new Rng(4), -2, 3, 1000).toDoubleArray();
        double mean = 0;
        for (double v : u) {
            assertTrue(v >= -2 && v < 3);
            mean += v / u.length;
        }
        assertEquals(0.5, mean, 0.2);
    }

    @Test
    void precisionConversion() {
        Tensor d = Tensor.of(new double[] {0.1, 1e-300}, 2);
        Tensor f = d.to(DType.FLOAT32);
        assertEquals(DType.FLOAT32, f.dtype());
        assertEquals((float) 0.1, f.toFloatArray()[0]);
        assertEquals(0, f.toDoubleArray()[1]); // underflows in float32
        assertEquals(DType.FLOAT64, f.to(DType.FLOAT64).dtype());
    }

    // ---------------------------------------------------------------- views

    @Test
    void reshapeAndViewWithMinusOne() {
        Tensor x = Tensor.of(range(24), 2, 3, 4);
        assertArrayEquals(new int[] {6, 4}, x.reshape(-1, 4).shape());
        assertArrayEquals(new int[] {2, 12}, x.view(2, -1).shape());
        assertArrayEquals(new int[] {24}, x.view(-1).shape());
        assertArrayEquals(new int[] {2, 12}, x.flatten(1).shape());
        assertArrayEquals(range(24), x.reshape(4, -1, 2).toDoubleArray());
        // A view of a contiguous tensor shares storage.
        Tensor v = x.view(6, 4);
        v.set(-1, 5, 3);
        assertEquals(-1, x.get(1, 2, 3));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> x.reshape(5, -1)), "[2, 3, 4]");
        assertThrows(IllegalArgumentException.class, () -> x.reshape(-1, -1));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> x.reshape(5, 5)), "[2, 3, 4]");
    }

    @Test
    void permuteAndTransposeAreViewsSharingStorage() {
        Tensor x = Tensor.of(range(6), 2, 3);
        Tensor t = x.transpose(0, 1);
        assertArrayEquals(new int[] {3, 2}, t.shape());
        assertFalse(t.isContiguous());
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, t.toDoubleArray());
        t.set(100, 2, 1); // = x[1][2]
        assertEquals(100, x.get(1, 2));
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        c.set(-5, 0, 0);
        assertEquals(0, x.get(0, 0), "contiguous() of a non-contiguous view is a copy");

        Tensor y = Tensor.of(range(24), 2, 3, 4);
        Tensor p = y.permute(2, 0, 1);
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) assertEquals(y.get(i, j, k), p.get(k, i, j));
        // Reshaping a permuted view reads it in its own row-major order.
        assertEquals(p.toDoubleArray()[5], p.reshape(-1).get(5));
        assertThrows(IllegalArgumentException.class, () -> y.permute(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> y.permute(0, 1));
    }

    @Test
    void slicing() {
        Tensor x = Tensor.of(range(24), 2, 3, 4);
        Tensor s = x.slice(2, 1, 3);
        assertArrayEquals(new int[] {2, 3, 2}, s.shape());
        assertArrayEquals(new double[] {1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22}, s.toDoubleArray());
        Tensor s2 = s.slice(0, 1, 2).slice(1, 2, 3);
        assertArrayEquals(new double[] {21, 22}, s2.toDoubleArray());
        s2.set(-7, 0, 0, 1);
        assertEquals(-7, x.get(1, 2, 2), "slices share storage");
        assertArrayEquals(new int[] {2, 0, 4}, x.slice(1, 2, 2).shape());
        assertThrows(IndexOutOfBoundsException.class, () -> x.slice(1, 2, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> x.slice(1, 2, 1));
    }

    @Test
    void concatAlongChannels() {
        Tensor a = Tensor.of(range(8), 2, 1, 2, 2);                 // N=2, C=1
        Tensor b = Tensor.of(new double[] {
                100, 101, 102, 103, 104, 105, 106, 107,
                200, 201, 202, 203, 204, 205, 206, 207}, 2, 2, 2, 2);  // N=2, C=2
        Tensor c = Tensor.concat(1, a, b);
        assertArrayEquals(new int[] {2, 3, 2, 2}, c.shape());
        assertArrayEquals(new double[] {
                0, 1, 2, 3, 100, 101, 102, 103, 104, 105, 106, 107,
                4, 5, 6, 7, 200, 201, 202, 203, 204, 205, 206, 207}, c.toDoubleArray());
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Tensor.concat(1, a, Tensor.zeros(DType.FLOAT64, 3, 1, 2, 2))),
                "[2, 1, 2, 2]", "[3, 1, 2, 2]");
        assertThrows(IllegalArgumentException.class, () -> Tensor.concat(1, a, a.to(DType.FLOAT32)));
        assertThrows(IllegalArgumentException.class, () -> Tensor.concat(0));
    }

    // ---------------------------------------------------------------- broadcasting and reductions

    @Test
    void broadcastingShapes() {
        assertArrayEquals(new int[] {2, 3, 4}, Tensor.zeros(2, 3, 4).add(Tensor.zeros(3, 1)).shape());
        assertArrayEquals(new int[] {2, 3, 4}, Tensor.zeros(2, 1, 4).mul(Tensor.zeros(3, 1)).shape());
        assertArrayEquals(new int[] {5, 4}, Tensor.zeros(5, 1).sub(Tensor.zeros(4)).shape());
        assertArrayEquals(new int[] {2, 3}, Tensor.zeros(2, 3).div(Tensor.scalar(2)).shape());
        assertArrayEquals(new int[] {0, 3}, Tensor.zeros(0, 3).add(Tensor.zeros(1, 3)).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(2)));
        assertMentions(e, "[2, 3]", "[2]", "broadcast");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(4, 3, 2).mul(Tensor.zeros(3, 3, 2))), "[4, 3, 2]", "[3, 3, 2]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2).add(Tensor.zeros(DType.FLOAT64, 2))), "FLOAT32", "FLOAT64");
    }

    @Test
    void argmaxTakesTheFirstOfTies() {
        Tensor x = Tensor.of(new double[] {
                1, 7, 7, 2,
                5, 5, 5, 5,
                0, 1, 2, 9}, 3, 4);
        assertArrayEquals(new int[] {1, 0, 3}, x.argmax(1));
        assertArrayEquals(new int[] {1, 0, 0, 2}, x.argmax(0));
        assertArrayEquals(new int[] {1, 0, 3}, x.argmax(-1));
        Tensor n = Tensor.of(new double[] {1, Double.NaN, 5}, 3);
        assertArrayEquals(new int[] {1}, n.argmax(0), "NaN is the maximum, as in PyTorch");
        assertTrue(Double.isNaN(n.max().item()));
    }

    @Test
    void reductionsOfANonContiguousView() {
        Tensor x = Tensor.of(range(6), 2, 3).transpose(0, 1); // [[0,3],[1,4],[2,5]]
        assertArrayEquals(new double[] {3, 5, 7}, x.sum(1, false).toDoubleArray());
        assertArrayEquals(new double[] {1, 4}, x.mean(0, false).toDoubleArray());
        assertArrayEquals(new double[] {3, 4, 5}, x.max(1, false).toDoubleArray());
        assertArrayEquals(new int[] {1, 1, 1}, x.argmax(1));
        assertEquals(15, x.sum().item());
    }

    // ---------------------------------------------------------------- autograd rules

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroGrad() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        assertNull(x.grad());
        x.mul(x).sum().backward();             // d/dx = 2x
        assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray());
        x.mul(3).sum().backward();             // + 3
        assertArrayEquals(new double[] {5, 7, 9}, x.grad().toDoubleArray());
        x.zeroGrad();
        assertNull(x.grad());
        x.exp().sum().backward();
        assertArrayEquals(new double[] {Math.exp(1), Math.exp(2), Math.exp(3)}, x.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void leafGradientsAreOwnedByTheirLeaf() {
        // add() passes the same gradient tensor to both operands; accumulating into one leaf's grad must not
        // change the other's.
        Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true), b = Tensor.of(new double[] {3, 4}, 2).requiresGrad(true);
        a.add(b).sum().backward();
        a.add(b).sum().backward();
        assertArrayEquals(new double[] {2, 2}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {2, 2}, b.grad().toDoubleArray());
        // A gradient handed to backward() is copied, not kept.
        Tensor leaf = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor given = Tensor.of(new double[] {5, 6}, 2);
        leaf.backward(given);
        given.set(100, 0);
        assertArrayEquals(new double[] {5, 6}, leaf.grad().toDoubleArray());
    }

    @Test
    void gradientsFromTwoPathsAdd() {
        // y = x*2 + x*3 reaches x twice; z reuses y twice.
        Tensor x = Tensor.of(new double[] {1, -1}, 2).requiresGrad(true);
        Tensor y = x.mul(2).add(x.mul(3));
        y.mul(y).sum().backward(); // d/dx (5x)^2 = 50 x
        assertArrayEquals(new double[] {50, -50}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        try (var g = Autograd.noGrad()) {
            assertFalse(Autograd.isEnabled());
            Tensor y = x.mul(2).exp().sum();
            assertNull(y.gradFnName());
            assertFalse(y.requiresGrad());
            try (var inner = Autograd.noGrad()) {
                assertNull(x.relu().gradFnName());
            }
            assertFalse(Autograd.isEnabled(), "closing a nested scope keeps the outer one");
            assertNull(x.reshape(2, 1).gradFnName());
            assertNull(Softmax.softmax(x, 0).gradFnName());
            assertThrows(IllegalStateException.class, y::backward);
        }
        assertTrue(Autograd.isEnabled());
        Tensor z = x.mul(2);
        assertNotNull(z.gradFnName());
        assertTrue(z.requiresGrad());
        assertFalse(z.isLeaf());
    }

    @Test
    void outputsOfConstantsRecordNothing() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2);
        Tensor y = a.mul(a).sum();
        assertNull(y.gradFnName());
        assertFalse(y.requiresGrad());
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertMentions(e, "does not require grad");
    }

    @Test
    void backwardTwiceThroughTheSameGraphIsRefused() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor loss = x.exp().sum();
        loss.backward();
        double[] first = x.grad().toDoubleArray();
        assertThrows(IllegalStateException.class, loss::backward);
        // A fresh graph works again, and the refused call added nothing.
        assertArrayEquals(first, x.grad().toDoubleArray(), 0.0);
        x.exp().sum().backward();
        assertEquals(2 * Math.exp(1), x.grad().get(0), 1e-12);
    }

    @Test
    void backwardRules() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        assertMentions(assertThrows(IllegalStateException.class, () -> x.mul(2).backward()), "[2]");
        assertThrows(IllegalArgumentException.class, () -> x.mul(2).backward(Tensor.of(new double[3], 3)));
        // backward with an explicit gradient of the output's shape.
        x.mul(3).backward(Tensor.of(new double[] {1, 10}, 2));
        assertArrayEquals(new double[] {3, 30}, x.grad().toDoubleArray());
        // detach() cuts the graph.
        Tensor d = x.mul(2).detach();
        assertFalse(d.requiresGrad());
        assertNull(d.gradFnName());
        assertThrows(IllegalStateException.class, () -> x.mul(2).requiresGrad(false));
    }

    @Test
    void float32GraphsWork() {
        Tensor w = Tensor.of(new float[] {0.5f, -1f, 2f}, 3).requiresGrad(true);
        Tensor loss = w.mul(w).mean();
        loss.backward();
        assertEquals(DType.FLOAT32, w.grad().dtype());
        assertArrayEquals(new float[] {1f / 3, -2f / 3, 4f / 3}, w.grad().toFloatArray(), 1e-6f);
    }

    // ---------------------------------------------------------------- shape errors of the dense layers

    @Test
    void matmulAndLinearShapeErrorsNameTheShapes() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5))), "[2, 3]", "[4, 5]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3, 1).matmul(Tensor.zeros(3, 5))), "[2, 3, 1]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2).matmul(Tensor.zeros(2, 5))), "[2]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> MatMul.linear(Tensor.zeros(4, 3), Tensor.zeros(5, 2), null)),
                "3 features", "[5, 2]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> MatMul.linear(Tensor.zeros(4, 3), Tensor.zeros(5, 3), Tensor.zeros(4))),
                "[4]", "5 outputs");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> MatMul.linear(Tensor.zeros(4, 3, 1), Tensor.zeros(5, 3), null)),
                "[4, 3, 1]");
    }
}
