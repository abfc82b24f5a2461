package dev.fovea.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checker must reject wrong gradients, or every gradient test built on it proves nothing. */
class GradCheckSelfTest {

    /** x^2 whose backward is supplied by the test, so it can be made wrong on purpose. */
    private static Tensor squareWithBackward(Tensor x, Node.Backward backward) {
        Tensor out = Elementwise.unary(x, v -> v * v);
        return Node.record(out, "test_square", backward, x);
    }

    private static Tensor rightSquare(Tensor x) {
        return squareWithBackward(x, g -> new Tensor[] {g.mul(x).mul(2)});
    }

    @Test
    void acceptsACorrectGradient() {
        GradCheck.check("square", in -> rightSquare(in.get(0)), GradCheck.param(1, 3, 4));
    }

    @Test
    void rejectsAGradientMissingItsFactorOfTwo() {
        Tensor x = GradCheck.param(2, 3, 4);
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradCheck.check("half square", in -> squareWithBackward(in.get(0), g -> new Tensor[] {g.mul(x)}), x));
        assertTrue(e.getMessage().contains("analytic") && e.getMessage().contains("numeric"), e.getMessage());
    }

    @Test
    void rejectsASmallErrorInOneElementAndNamesIt() {
        Tensor x = GradCheck.param(3, 2, 3);
        Node.Backward slightlyOff = g -> {
            Tensor gx = g.mul(x).mul(2).copy();
            gx.set(gx.get(1, 2) + 1e-4, 1, 2); // one element off by 1e-4: well above the 1e-6 tolerance
            return new Tensor[] {gx};
        };
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradCheck.check("off by 1e-4", in -> squareWithBackward(in.get(0), slightlyOff), x));
        assertTrue(e.getMessage().contains("element [1, 2]"), e.getMessage());
        assertTrue(e.getMessage().contains("flat 5"), e.getMessage());
    }

    @Test
    void rejectsAMissingGradient() {
        Tensor x = GradCheck.param(4, 5);
        assertThrows(AssertionError.class,
                () -> GradCheck.check("no gradient", in -> squareWithBackward(in.get(0), g -> new Tensor[] {null}), x));
    }

    @Test
    void rejectsAWrongGradientOnlyForTheInputThatHasIt() {
        // a * b with b's gradient wrong: the error names input 1, not input 0.
        Tensor a = GradCheck.param(5, 4), b = GradCheck.param(6, 4);
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.check("bad mul", in -> {
            Tensor x = in.get(0), y = in.get(1);
            Tensor out = Elementwise.unary(x, v -> v).mul(y.detach());
            out = Node.record(Tensor.of(out.toDoubleArray(), 4), "bad_mul", g -> new Tensor[] {g.mul(y), g.mul(y)}, x, y);
            return out;
        }, a, b));
        assertTrue(e.getMessage().contains("input 1"), e.getMessage());
    }

    @Test
    void refusesFloat32InputsAndChecksThatDoNotCheckAnything() {
        Tensor f32 = Tensor.zeros(3).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check("f32", in -> in.get(0).exp(), f32));
        Tensor constant = GradCheck.param(7, 3).requiresGrad(false);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check("const", in -> in.get(0).exp(), constant));
        // An input the output ignores: the check refuses to pass vacuously.
        Tensor used = GradCheck.param(8, 3), unused = GradCheck.param(9, 3);
        assertThrows(AssertionError.class, () -> GradCheck.check("unused", in -> in.get(0).exp(), used, unused));
    }

    @Test
    void leavesInputsUnchanged() {
        Tensor x = GradCheck.param(10, 6);
        double[] before = x.toDoubleArray();
        GradCheck.check("tanh", in -> in.get(0).tanh(), x);
        double[] after = x.toDoubleArray();
        for (int i = 0; i < before.length; i++) assertEquals(before[i], after[i], 0.0);
    }
}
