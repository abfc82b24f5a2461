package dev.fovea.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Batch normalisation: gradients in training and evaluation mode, values, and the running statistics. */
class NormalizationTest {

    private static final double EPS = 1e-5;

    /** Training-mode batch norm with throw-away running statistics, so repeated evaluation is side-effect free. */
    private static Tensor train(Tensor x, Tensor weight, Tensor bias) {
        int c = x.size(1);
        return Normalization.batchNorm(x, Tensor.zeros(DType.FLOAT64, c), Tensor.ones(c).to(DType.FLOAT64), weight, bias, true, 0.1, EPS);
    }

    @Test
    void trainingGradient4d() {
        Tensor x = GradCheck.param(121, 3, 2, 3, 4), w = GradCheck.uniformParam(122, 0.5, 1.5, 2), b = GradCheck.param(123, 2);
        GradCheck.check("batchnorm 4-D", in -> train(in.get(0), in.get(1), in.get(2)), x, w, b);
        GradCheck.check("batchnorm 4-D, no affine", in -> train(in.get(0), null, null), x);
    }

    @Test
    void trainingGradient2d() {
        Tensor x = GradCheck.param(124, 5, 3), w = GradCheck.uniformParam(125, 0.5, 1.5, 3), b = GradCheck.param(126, 3);
        GradCheck.check("batchnorm 2-D", in -> train(in.get(0), in.get(1), in.get(2)), x, w, b);
        // Followed by a non-linearity, so the gradient arriving at batch norm is not a plain weight pattern.
        GradCheck.check("tanh(batchnorm 2-D)", in -> train(in.get(0), in.get(1), in.get(2)).tanh(), x, w, b);
    }

    @Test
    void withoutAGradientTheOutputIsTheSame() {
        // Under noGrad (or with nothing that needs a gradient) xhat is not kept; y must not change by a bit.
        Rng rng = new Rng(7);
        Tensor x = Tensor.randn(rng, 4, 3, 5, 6), w = Tensor.randn(rng, 3).requiresGrad(true), b = Tensor.randn(rng, 3).requiresGrad(true);
        Tensor mean = Tensor.randn(rng, 3), r = Tensor.randn(rng, 3), var = r.mul(r).add(0.5);
        for (boolean training : new boolean[] {true, false}) {
            Tensor m1 = mean.copy(), v1 = var.copy(), m2 = mean.copy(), v2 = var.copy();
            Tensor withGrad = Normalization.batchNorm(x, m1, v1, w, b, training, 0.1, EPS);
            assertEquals(true, withGrad.requiresGrad());
            Tensor without;
            try (var g = Autograd.noGrad()) {
                without = Normalization.batchNorm(x, m2, v2, w, b, training, 0.1, EPS);
            }
            assertArrayEquals(withGrad.toFloatArray(), without.toFloatArray(), "training " + training);
            assertArrayEquals(m1.toFloatArray(), m2.toFloatArray());
            assertArrayEquals(v1.toFloatArray(), v2.toFloatArray());
            Tensor plain = Normalization.batchNorm(x, mean.copy(), var.copy(), null, null, training, 0.1, EPS);
            assertEquals(false, plain.requiresGrad());
        }
    }

    @Test
    void evalGradient() {
        Tensor mean = Tensor.of(new double[] {0.3, -0.2}, 2), var = Tensor.of(new double[] {1.7, 0.4}, 2);
        Tensor x = GradCheck.param(127, 2, 2, 3, 3), w = GradCheck.param(128, 2), b = GradCheck.param(129, 2);
        GradCheck.check("batchnorm eval", in -> Normalization.batchNorm(in.get(0), mean, var, in.get(1), in.get(2), false, 0.1, EPS), x, w, b);
    }

    @Test
    void trainingForwardNormalisesEachChannel() {
        Tensor x = GradCheck.param(130, 4, 3, 2, 5).detach();
        Tensor w = Tensor.of(new double[] {1, 2, 0.5}, 3), b = Tensor.of(new double[] {0, -1, 3}, 3);
        Tensor y = Normalization.batchNorm(x, null, null, w, b, true, 0.1, EPS);
        for (int c = 0; c < 3; c++) {
            double s = 0, ss = 0;
            for (int n = 0; n < 4; n++) for (int h = 0; h < 2; h++) for (int k = 0; k < 5; k++) s += x.get(n, c, h, k);
            double mean = s / 40;
            for (int n = 0; n < 4; n++) for (int h = 0; h < 2; h++) for (int k = 0; k < 5; k++) ss += Math.pow(x.get(n, c, h, k) - mean, 2);
            double invStd = 1 / Math.sqrt(ss / 40 + EPS); // biased variance for normalising
            for (int n = 0; n < 4; n++) {
                for (int h = 0; h < 2; h++) {
                    for (int k = 0; k < 5; k++) {
                        double expected = w.get(c) * (x.get(n, c, h, k) - mean) * invStd + b.get(c);
                        assertEquals(expected, y.get(n, c, h, k), 1e-12);
                    }
                }
            }
        }
    }

    @Test
    void runningVarianceUsesTheUnbiasedVariance() {
        // One channel holding 1, 2, 3, 4: mean 2.5, biased variance 1.25, unbiased variance 5/3.
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 4, 1);
        Tensor runningMean = Tensor.zeros(1), runningVar = Tensor.ones(1);
        Normalization.batchNorm(x, runningMean, runningVar, null, null, true, 0.1, EPS);
        assertEquals(0.9 * 0 + 0.1 * 2.5, runningMean.get(0), 1e-7);
        assertEquals(0.9 * 1 + 0.1 * (5.0 / 3), runningVar.get(0), 1e-7); // 1.0666..., not 1.025
        // Same numbers from a 4-D input: 2 images of 1x2 pixels.
        Tensor x4 = Tensor.of(new double[] {1, 2, 3, 4}, 2, 1, 1, 2);
        Tensor rm = Tensor.zeros(1), rv = Tensor.ones(1);
        Normalization.batchNorm(x4, rm, rv, null, null, true, 0.1, EPS);
        assertEquals(0.25, rm.get(0), 1e-7);
        assertEquals(0.9 + 0.1 * 5.0 / 3, rv.get(0), 1e-7);
        // ... but the batch itself is normalised with the biased variance.
        Tensor y = Normalization.batchNorm(x, null, null, null, null, true, 0.1, 0);
        assertArrayEquals(new double[] {-1.5 / Math.sqrt(1.25), -0.5 / Math.sqrt(1.25), 0.5 / Math.sqrt(1.25), 1.5 / Math.sqrt(1.25)},
                y.toDoubleArray(), 1e-12);
    }

    @Test
    void evalModeUsesTheRunningStatisticsAndLeavesThemAlone() {
        Tensor x = Tensor.of(new double[] {1, 10, 2, 20}, 2, 2);
        Tensor mean = Tensor.of(new double[] {1, 5}, 2), var = Tensor.of(new double[] {4, 16}, 2);
        Tensor w = Tensor.of(new double[] {2, 1}, 2), b = Tensor.of(new double[] {0.5, 0}, 2);
        Tensor y = Normalization.batchNorm(x, mean, var, w, b, false, 0.1, 0);
        assertArrayEquals(new double[] {2 * (1 - 1) / 2.0 + 0.5, (10 - 5) / 4.0, 2 * (2 - 1) / 2.0 + 0.5, (20 - 5) / 4.0}, y.toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {1, 5}, mean.toDoubleArray());
        assertArrayEquals(new double[] {4, 16}, var.toDoubleArray());
    }

    @Test
    void errors() {
        assertThrows(IllegalArgumentException.class,
                () -> Normalization.batchNorm(Tensor.zeros(1, 3), null, null, null, null, true, 0.1, EPS), "one value per channel");
        assertThrows(IllegalArgumentException.class,
                () -> Normalization.batchNorm(Tensor.zeros(4, 3), null, null, Tensor.zeros(2), null, true, 0.1, EPS));
        assertThrows(IllegalStateException.class,
                () -> Normalization.batchNorm(Tensor.zeros(4, 3), null, null, null, null, false, 0.1, EPS));
    }
}
