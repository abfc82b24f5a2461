package dev.fovea.tensor;

import dev.fovea.kernels.Buf;

import java.util.Arrays;
import java.util.List;

/**
 * Finite-difference gradient checker, in double precision.
 *
 * <p>For a function {@code f} of float64 input tensors, it back-propagates {@code sum(f(inputs) * R)} for a fixed
 * random {@code R} of the output's shape (so every output element, with its own weight, takes part), and compares
 * the analytic gradient of every input that {@linkplain Tensor#requiresGrad() requires grad} with central
 * differences {@code (L(x + eps) - L(x - eps)) / (2 eps)}, element by element. A mismatch fails with the input,
 * the worst element's index, and its analytic and numeric values.
 *
 * <p>Inputs must be contiguous float64 leaves. {@code f} must be deterministic (a function that draws random
 * numbers must create its generator from a fixed seed on every call) and must not change its inputs.
 */
final class GradCheck {
    private GradCheck() {}

    /** Step of the central difference. */
    static final double EPS = 1e-6;

    /** An element passes when |analytic - numeric| <= TOL * (1 + max(|analytic|, |numeric|)). */
    static final double TOL = 1e-6;

    @FunctionalInterface
    interface Fn {
        Tensor apply(List<Tensor> inputs);
    }

    /** Checks {@code f} at {@code inputs}; throws AssertionError on the first input whose gradient is wrong. */
    static void check(String what, Fn f, Tensor... inputs) {
        check(what, f, EPS, TOL, inputs);
    }

    static void check(String what, Fn f, double eps, double tol, Tensor... inputs) {
        List<Tensor> in = List.of(inputs);
        boolean any = false;
        for (int k = 0; k < inputs.length; k++) {
            Tensor t = inputs[k];
            if (t.dtype() != DType.FLOAT64) throw new IllegalArgumentException(what + ": input " + k + " is not float64; gradient checks need double precision");
            if (!t.isContiguous() || !t.isLeaf()) throw new IllegalArgumentException(what + ": input " + k + " must be a contiguous leaf");
            any |= t.requiresGrad();
        }
        if (!any) throw new IllegalArgumentException(what + ": no input requires grad, nothing to check");

        // Analytic: backward of sum(out * R).
        Tensor out = f.apply(in);
        if (out.dtype() != DType.FLOAT64) throw new AssertionError(what + ": output is " + out.dtype() + ", expected float64 all the way through");
        if (!out.requiresGrad()) throw new AssertionError(what + ": output does not require grad; the operation recorded nothing");
        double[] r = weights(out.numel());
        Tensor weights = Tensor.of(r.clone(), out.shape());
        for (Tensor t : inputs) t.zeroGrad();
        out.mul(weights).sum().backward();
        double[][] analytic = new double[inputs.length][];
        for (int k = 0; k < inputs.length; k++) {
            Tensor t = inputs[k];
            if (!t.requiresGrad()) continue;
            Tensor g = t.grad();
            if (g == null) {
                analytic[k] = new double[t.numel()]; // no gradient arrived: compared as zeros
            } else {
                if (!Arrays.equals(g.shape(), t.shape())) {
                    throw new AssertionError(what + ": gradient of input " + k + " has shape " + Arrays.toString(g.shape()) + ", input has " + Arrays.toString(t.shape()));
                }
                analytic[k] = g.toDoubleArray();
            }
            t.zeroGrad();
        }

        // Numeric: central differences, one element at a time, with recording off.
        for (int k = 0; k < inputs.length; k++) {
            Tensor t = inputs[k];
            if (!t.requiresGrad()) continue;
            Buf b = t.buf();
            double[] numeric = new double[t.numel()];
            double maxAbsNumeric = 0;
            for (int i = 0; i < numeric.length; i++) {
                double orig = b.get(i);
                b.set(i, orig + eps);
                double plus = objective(f, in, r);
                b.set(i, orig - eps);
                double minus = objective(f, in, r);
                b.set(i, orig);
                numeric[i] = (plus - minus) / (2 * eps);
                maxAbsNumeric = Math.max(maxAbsNumeric, Math.abs(numeric[i]));
            }
            if (maxAbsNumeric == 0) {
                throw new AssertionError(what + ": the output does not depend on input " + k + "; the check would prove nothing");
            }
            int worst = -1;
            double worstExcess = 0;
            for (int i = 0; i < numeric.length; i++) {
                double a = analytic[k][i], n = numeric[i];
                double err = Math.abs(a - n), allowed = tol * (1 + Math.max(Math.abs(a), Math.abs(n)));
                if (!(err <= allowed) && (worst < 0 || err - allowed > worstExcess || Double.isNaN(err))) {
                    worst = i;
                    worstExcess = err - allowed;
                }
            }
            if (worst >= 0) {
                double a = analytic[k][worst], n = numeric[worst];
                throw new AssertionError(String.format(
                        "%s: gradient of input %d (shape %s) is wrong at element %s (flat %d): analytic %.12g, numeric %.12g, |diff| %.3g > allowed %.3g",
                        what, k, Arrays.toString(t.shape()), Arrays.toString(unflatten(worst, t.shape())), worst,
                        a, n, Math.abs(a - n), tol * (1 + Math.max(Math.abs(a), Math.abs(n)))));
            }
        }
    }

    /** sum(f(inputs) * r) evaluated without recording. */
    private static double objective(Fn f, List<Tensor> in, double[] r) {
        try (var g = Autograd.noGrad()) {
            double[] o = f.apply(in).toDoubleArray();
            double s = 0;
            for (int i = 0; i < o.length; i++) s += o[i] * r[i];
            return s;
        }
    }

    /** Fixed pseudo-random weights in +-[0.5, 1.5): none near zero, so no output element is ignored. */
    private static double[] weights(int n) {
        Rng rng = new Rng(0x5EED);
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            double m = 0.5 + rng.nextDouble();
            r[i] = rng.nextDouble() < 0.5 ? -m : m;
        }
        return r;
    }

    static int[] unflatten(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    // ---------------------------------------------------------------- inputs

    /** Standard normal float64 values, drawn in double precision. */
    static double[] gaussian(long seed, int n) {
        Rng rng = new Rng(seed);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextGaussian();
        return a;
    }

    /** A float64 leaf of standard normal values that requires grad. */
    static Tensor param(long seed, int... shape) {
        return Tensor.of(gaussian(seed, Shapes.numel(shape)), shape).requiresGrad(true);
    }

    /** A float64 leaf of uniform values in [lo, hi) that requires grad. */
    static Tensor uniformParam(long seed, double lo, double hi, int... shape) {
        Rng rng = new Rng(seed);
        double[] a = new double[Shapes.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = lo + (hi - lo) * rng.nextDouble();
        return Tensor.of(a, shape).requiresGrad(true);
    }

    /**
     * A float64 leaf whose values are all distinct, at least 0.05 apart and shuffled: no ties for max or max
     * pooling, and no two values close enough for a finite-difference step to swap them.
     */
    static Tensor distinctParam(long seed, int... shape) {
        int n = Shapes.numel(shape);
        Rng rng = new Rng(seed);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        rng.shuffle(perm);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (perm[i] - n / 2.0) * 0.1 + 0.03 * rng.nextDouble();
        return Tensor.of(a, shape).requiresGrad(true);
    }

    /** Values in +-[lo, hi): never within {@code lo} of zero (keeps relu-like kinks away from the step). */
    static Tensor awayFromZero(long seed, double lo, double hi, int... shape) {
        Rng rng = new Rng(seed);
        double[] a = new double[Shapes.numel(shape)];
        for (int i = 0; i < a.length; i++) {
            double m = lo + (hi - lo) * rng.nextDouble();
            a[i] = rng.nextDouble() < 0.5 ? -m : m;
        }
        return Tensor.of(a, shape).requiresGrad(true);
    }
}
