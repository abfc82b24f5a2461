package dev.fovea.optim;

/** PyTorch's {@code OneCycleLR}, cosine phases, with momentum cycling; see {@link LearningRateSchedule#oneCycle}. */
final class OneCycle implements LearningRateSchedule {
    private final double pctStart, initial, min, baseMomentum, maxMomentum;

    OneCycle(double pctStart, double divFactor, double finalDivFactor, double baseMomentum, double maxMomentum) {
        if (!(pctStart > 0 && pctStart < 1)) throw new IllegalArgumentException("pct_start must be in (0, 1), got " + pctStart);
        if (!(divFactor > 0) || !(finalDivFactor > 0)) throw new IllegalArgumentException("division factors must be positive");
        if (!(baseMomentum >= 0 && baseMomentum <= maxMomentum && maxMomentum < 1)) {
            throw new IllegalArgumentException("need 0 <= base momentum <= max momentum < 1, got " + baseMomentum + " and " + maxMomentum);
        }
        this.pctStart = pctStart;
        this.initial = 1 / divFactor;
        this.min = initial / finalDivFactor;
        this.baseMomentum = baseMomentum;
        this.maxMomentum = maxMomentum;
    }

    @Override
    public double factor(long step, long total, long perEpoch) {
        double pct = phase(step, total);
        return pct < 1 ? anneal(initial, 1, pct) : anneal(1, min, pct - 1);
    }

    @Override
    public double momentum(long step, long total, long perEpoch) {
        double pct = phase(step, total);
        return pct < 1 ? anneal(maxMomentum, baseMomentum, pct) : anneal(baseMomentum, maxMomentum, pct - 1);
    }

    /**
     * Where a step is: in [0, 1] through phase one (ending at step {@code pctStart * total - 1}), then 1 plus the
     * fraction of phase two (ending at the last step) done. PyTorch counts phases the same way.
     */
    private double phase(long step, long total) {
        double s = Math.min(step, total);
        double end1 = pctStart * total - 1, end2 = total - 1;
        if (s <= end1) return end1 <= 0 ? 1 : s / end1;
        return 1 + (end2 - end1 <= 0 ? 1 : (s - end1) / (end2 - end1));
    }

    private static double anneal(double start, double end, double pct) {
        return end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
    }
}
