package dev.fovea.nn;

/** Batch normalisation of N x C (or N x C x L) features, for fully connected layers. */
public final class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int features) {
        this(features, 1e-5, 0.1, true);
    }

    public BatchNorm1d(int features, double eps, double momentum, boolean affine) {
        super(features, eps, momentum, affine);
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 2 || rank == 3;
    }

    @Override
    String expected() {
        return "N x C or N x C x L";
    }
}
