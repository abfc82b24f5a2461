package dev.fovea.tensor;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** retainGrad keeps an intermediate's gradient (checked against finite differences); gradFnInputs shows the graph. */
class RetainGradTest {

    @Test
    void intermediateGradientMatchesFiniteDifferences() {
        Tensor x = Tensor.of(new double[] {0.5, -1.5, 2.0}, 3).requiresGrad(true);
        Tensor h = x.mul(x).retainGrad();            // h = x^2
        Tensor y = h.relu().mul(h).sum();            // y = sum(h^2) since h >= 0, so dy/dh = 2h
        y.backward();
        double[] hv = h.toDoubleArray();
        double[] gh = h.grad().toDoubleArray();
        for (int i = 0; i < 3; i++) {
            double eps = 1e-6;
            double up = (hv[i] + eps) * (hv[i] + eps), down = (hv[i] - eps) * (hv[i] - eps);
            assertEquals((up - down) / (2 * eps), gh[i], 1e-6);
        }
        // The leaf still gets dy/dx = 4x^3.
        assertArrayEquals(new double[] {0.5, -13.5, 32.0}, x.grad().toDoubleArray(), 1e-9);
    }

    @Test
    void withoutRetainGradIntermediatesKeepNone() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor h = x.mul(3);
        h.sum().backward();
        assertNull(h.grad());
        assertThrows(IllegalStateException.class, () -> Tensor.of(new double[] {1}, 1).retainGrad());
    }

    @Test
    void gradFnInputsAreTheOperationsInputs() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {3, 4}, 2).requiresGrad(true);
        Tensor c = a.add(b);
        List<Tensor> ins = c.gradFnInputs();
        assertEquals(2, ins.size());
        assertSame(a, ins.get(0));
        assertSame(b, ins.get(1));
        assertTrue(a.gradFnInputs().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> ins.set(0, b));
    }
}
