package dev.fovea.tensor;

/** Losses over class scores. */
public final class Losses {
    private Losses() {}

    /**
     * Mean cross-entropy of N x C logits against class indices, computed as log-sum-exp minus the target logit
     * after subtracting each row's maximum, so it stays finite for logits in the thousands. With
     * {@code labelSmoothing} = eps the target is (1 - eps) on the true class plus eps/C on every class, as in PyTorch.
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets, double labelSmoothing) {
        if (logits.dim() != 2) throw new IllegalArgumentException("cross_entropy: logits must be N x C, got shape " + Shapes.str(logits.shape));
        int n = logits.shape[0], c = logits.shape[1];
        if (targets.length != n) throw new IllegalArgumentException("cross_entropy: " + targets.length + " targets for a batch of " + n);
        if (labelSmoothing < 0 || labelSmoothing > 1) throw new IllegalArgumentException("label smoothing must be in [0, 1], got " + labelSmoothing);
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0 || targets[i] >= c) {
                throw new IllegalArgumentException("cross_entropy: target " + targets[i] + " at position " + i + " is not a class in [0, " + c + ")");
            }
        }
        Tensor x = logits.contiguous();
        Tensor prob = Tensor.zerosLike(x);
        double total = 0;
        for (int i = 0; i < n; i++) {
            int base = i * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) max = Math.max(max, x.buf.get(base + k));
            double sum = 0;
            for (int k = 0; k < c; k++) sum += Math.exp(x.buf.get(base + k) - max);
            double lse = max + Math.log(sum);
            double row = (1 - labelSmoothing) * (lse - x.buf.get(base + targets[i]));
            if (labelSmoothing > 0) {
                double s = 0;
                for (int k = 0; k < c; k++) s += lse - x.buf.get(base + k);
                row += labelSmoothing / c * s;
            }
            total += row;
            for (int k = 0; k < c; k++) prob.buf.set(base + k, Math.exp(x.buf.get(base + k) - lse));
        }
        Tensor loss = new Tensor(x.buf.like(1), new int[0]);
        loss.buf.set(0, total / n);
        return Node.record(loss, "cross_entropy", g -> {
            double scale = g.item() / n;
            Tensor gx = Tensor.zerosLike(prob);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < c; k++) {
                    double target = (k == targets[i] ? 1 - labelSmoothing : 0) + labelSmoothing / c;
                    gx.buf.set(i * c + k, scale * (prob.buf.get(i * c + k) - target));
                }
            }
            return new Tensor[] {gx};
        }, logits);
    }
}
