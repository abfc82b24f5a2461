package dev.fovea.optim;

import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Clipping against values worked out by hand from PyTorch's definitions. */
class GradClippingTest {
    /** Parameters whose gradients are g1 = [3, 4], g2 = [-12] (total L2 norm 13), and one without a gradient. */
    private static List<Tensor> params() {
        Tensor p1 = Tensor.zeros(2).requiresGrad(true), p2 = Tensor.zeros(1).requiresGrad(true), frozen = Tensor.zeros(1).requiresGrad(true);
        p1.mul(Tensor.of(new float[] {3, 4}, 2)).sum().add(p2.mul(-12).sum()).backward();
        return List.of(p1, p2, frozen);
    }

    @Test
    void normAboveTheMaximumScalesEveryGradientByMaxOverNormPlusEpsilon() {
        List<Tensor> ps = params();
        double total = GradClipping.clipGradNorm(ps, 6.5);
        assertEquals(13, total, 1e-12);
        double coef = 6.5 / (13 + 1e-6); // = 0.49999996...
        assertArrayEquals(new float[] {(float) (3 * coef), (float) (4 * coef)}, ps.get(0).grad().toFloatArray());
        assertArrayEquals(new float[] {(float) (-12 * coef)}, ps.get(1).grad().toFloatArray());
        assertNull(ps.get(2).grad());
        assertEquals(6.5, Math.sqrt(sq(ps.get(0)) + sq(ps.get(1))), 1e-5);
    }

    @Test
    void normBelowTheMaximumLeavesGradientsAlone() {
        List<Tensor> ps = params();
        assertEquals(13, GradClipping.clipGradNorm(ps, 20), 1e-12);
        assertArrayEquals(new float[] {3, 4}, ps.get(0).grad().toFloatArray());
        assertArrayEquals(new float[] {-12}, ps.get(1).grad().toFloatArray());
    }

    @Test
    void otherNorms() {
        List<Tensor> ps = params();
        assertEquals(12, GradClipping.clipGradNorm(ps, 6, Double.POSITIVE_INFINITY), 0);
        double c = 6 / (12 + 1e-6);
        assertArrayEquals(new float[] {(float) (3 * c), (float) (4 * c)}, ps.get(0).grad().toFloatArray());
        List<Tensor> qs = params();
        assertEquals(19, GradClipping.clipGradNorm(qs, 100, 1), 1e-12); // |3| + |4| + |-12|
    }

    @Test
    void aNonFiniteNormMakesEveryGradientNonFiniteAsInPyTorch() {
        List<Tensor> ps = params();
        ps.get(1).grad().set(Double.NaN, 0);
        assertTrue(Double.isNaN(GradClipping.clipGradNorm(ps, 1)));
        assertTrue(Double.isNaN(ps.get(0).grad().get(0)));
    }

    @Test
    void valueClippingClampsEachElement() {
        List<Tensor> ps = params();
        GradClipping.clipGradValue(ps, 3.5);
        assertArrayEquals(new float[] {3, 3.5f}, ps.get(0).grad().toFloatArray());
        assertArrayEquals(new float[] {-3.5f}, ps.get(1).grad().toFloatArray());
        assertNull(ps.get(2).grad());
    }

    private static double sq(Tensor p) {
        double s = 0;
        for (float v : p.grad().toFloatArray()) s += (double) v * v;
        return s;
    }
}
