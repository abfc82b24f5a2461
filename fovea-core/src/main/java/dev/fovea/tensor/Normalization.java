package dev.fovea.tensor;

/**
 * Batch normalisation over the channel dimension (dimension 1) of N x C or N x C x ... inputs, as PyTorch defines it:
 * <ul>
 *   <li>training: normalise with the batch mean and the biased batch variance; update the running statistics as
 *       running = (1 - momentum) * running + momentum * batch, using the <em>unbiased</em> variance (n / (n - 1));</li>
 *   <li>evaluation: normalise with the running mean and variance;</li>
 *   <li>then scale by {@code weight} (gamma) and shift by {@code bias} (beta), when given.</li>
 * </ul>
 */
public final class Normalization {
    private Normalization() {}

    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (x.dim() < 2) throw new IllegalArgumentException("batch_norm: input must be N x C or N x C x ..., got shape " + Shapes.str(x.shape));
        int n = x.shape[0], c = x.shape[1];
        int inner = x.numel() / Math.max(1, n * c);
        int count = n * inner;
        checkPerChannel(runningMean, c, "running mean");
        checkPerChannel(runningVar, c, "running variance");
        checkPerChannel(weight, c, "weight");
        checkPerChannel(bias, c, "bias");
        if (training && count < 2) {
            throw new IllegalArgumentException("batch_norm: training needs more than one value per channel, got input shape " + Shapes.str(x.shape));
        }
        Tensor xc = x.contiguous();
        double[] mean = new double[c], invStd = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double m, v;
            if (training) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * inner;
                    for (int p = 0; p < inner; p++) s += xc.buf.get(base + p);
                }
                m = s / count;
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * inner;
                    for (int p = 0; p < inner; p++) {
                        double d = xc.buf.get(base + p) - m;
                        ss += d * d;
                    }
                }
                v = ss / count;
                if (runningMean != null) runningMean.buf.set(ch, (1 - momentum) * runningMean.buf.get(ch) + momentum * m);
                if (runningVar != null) runningVar.buf.set(ch, (1 - momentum) * runningVar.buf.get(ch) + momentum * v * count / (count - 1));
            } else {
                if (runningMean == null || runningVar == null) throw new IllegalStateException("batch_norm: evaluation needs running statistics");
                m = runningMean.buf.get(ch);
                v = runningVar.buf.get(ch);
            }
            mean[ch] = m;
            invStd[ch] = 1 / Math.sqrt(v + eps);
        }
        Tensor wc = weight == null ? null : weight.contiguous(), bc = bias == null ? null : bias.contiguous();
        Tensor y = new Tensor(xc.buf.like(xc.numel()), x.shape);
        Tensor xhat = new Tensor(xc.buf.like(xc.numel()), x.shape);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                double gamma = wc == null ? 1 : wc.buf.get(ch), beta = bc == null ? 0 : bc.buf.get(ch);
                int base = (i * c + ch) * inner;
                for (int p = 0; p < inner; p++) {
                    double h = (xc.buf.get(base + p) - mean[ch]) * invStd[ch];
                    xhat.buf.set(base + p, h);
                    y.buf.set(base + p, gamma * h + beta);
                }
            }
        }
        return Node.record(y, "batch_norm", gy -> {
            Tensor g = gy.contiguous();
            double[] sumG = new double[c], sumGH = new double[c];
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    int base = (i * c + ch) * inner;
                    for (int p = 0; p < inner; p++) {
                        double gv = g.buf.get(base + p);
                        sumG[ch] += gv;
                        sumGH[ch] += gv * xhat.buf.get(base + p);
                    }
                }
            }
            Tensor gx = null, gw = null, gb = null;
            if (x.requiresGrad()) {
                gx = new Tensor(g.buf.like(g.numel()), x.shape);
                for (int i = 0; i < n; i++) {
                    for (int ch = 0; ch < c; ch++) {
                        double gamma = wc == null ? 1 : wc.buf.get(ch);
                        int base = (i * c + ch) * inner;
                        for (int p = 0; p < inner; p++) {
                            double gv = g.buf.get(base + p);
                            double d = training
                                    ? gamma * invStd[ch] * (gv - sumG[ch] / count - xhat.buf.get(base + p) * sumGH[ch] / count)
                                    : gamma * invStd[ch] * gv;
                            gx.buf.set(base + p, d);
                        }
                    }
                }
            }
            if (weight != null && weight.requiresGrad()) {
                gw = new Tensor(g.buf.like(c), weight.shape);
                for (int ch = 0; ch < c; ch++) gw.buf.set(ch, sumGH[ch]);
            }
            if (bias != null && bias.requiresGrad()) {
                gb = new Tensor(g.buf.like(c), bias.shape);
                for (int ch = 0; ch < c; ch++) gb.buf.set(ch, sumG[ch]);
            }
            return new Tensor[] {gx, gw, gb};
        }, x, weight, bias);
    }

    private static void checkPerChannel(Tensor t, int c, String what) {
        if (t != null && t.numel() != c) {
            throw new IllegalArgumentException("batch_norm: " + what + " has " + t.numel() + " values for " + c + " channels");
        }
    }
}
