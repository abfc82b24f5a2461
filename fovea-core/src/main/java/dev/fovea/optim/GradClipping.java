package dev.fovea.optim;

import dev.fovea.kernels.Buf;
import dev.fovea.tensor.Tensor;

/**
 * Gradient clipping, as PyTorch's {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}: call it
 * between {@code backward()} and the optimizer's {@code step()}. Parameters without a gradient are skipped.
 */
public final class GradClipping {
    private GradClipping() {}

    /** {@link #clipGradNorm(Iterable, double, double)} with the L2 norm. */
    public static double clipGradNorm(Iterable<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }

    /**
     * Scales all gradients together so that their total norm (the {@code normType}-norm of all their elements as
     * one vector; {@code Double.POSITIVE_INFINITY} for the largest magnitude) is at most {@code maxNorm}. As in
     * PyTorch, every gradient is multiplied by {@code min(1, maxNorm / (total + 1e-6))}, so a total just under
     * {@code maxNorm} is still scaled by a hair, and a non-finite total makes every gradient non-finite (PyTorch's
     * default {@code error_if_nonfinite=False}). Returns the total norm before clipping.
     */
    public static double clipGradNorm(Iterable<Tensor> params, double maxNorm, double normType) {
        if (!(maxNorm >= 0)) throw new IllegalArgumentException("max norm must be a non-negative number, got " + maxNorm);
        if (!(normType > 0)) throw new IllegalArgumentException("norm type must be positive (or infinity), got " + normType);
        boolean inf = normType == Double.POSITIVE_INFINITY;
        double acc = 0;
        boolean any = false;
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            any = true;
            Buf g = p.grad().buf();
            for (int i = 0, n = g.length(); i < n; i++) {
                double a = Math.abs(g.get(i));
                if (inf) acc = Double.isNaN(a) || Double.isNaN(acc) ? Double.NaN : Math.max(acc, a);
                else acc += normType == 2 ? a * a : Math.pow(a, normType);
            }
        }
        if (!any) return 0;
        double total = inf ? acc : normType == 2 ? Math.sqrt(acc) : Math.pow(acc, 1 / normType);
        double coef = Math.min(maxNorm / (total + 1e-6), 1.0);
        if (coef == 1.0) return total; // multiplying by one changes nothing
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            Buf g = p.grad().buf();
            for (int i = 0, n = g.length(); i < n; i++) g.set(i, g.get(i) * coef);
        }
        return total;
    }

    /** Clamps every gradient element to {@code [-clipValue, clipValue]}; NaN stays NaN (as PyTorch's clamp). */
    public static void clipGradValue(Iterable<Tensor> params, double clipValue) {
        if (!(clipValue >= 0) || Double.isInfinite(clipValue)) throw new IllegalArgumentException("clip value must be a non-negative number, got " + clipValue);
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            Buf g = p.grad().buf();
            for (int i = 0, n = g.length(); i < n; i++) {
                double v = g.get(i);
                if (v > clipValue) g.set(i, clipValue);
                else if (v < -clipValue) g.set(i, -clipValue);
            }
        }
    }
}
