package dev.fovea.nn;

/** Batch normalisation of N x C x H x W feature maps, one mean and variance per channel. */
public final class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int features) {
        this(features, 1e-5, 0.1, true);
    }

    public BatchNorm2d(int features, double eps, double momentum, boolean affine) {
        super(features, eps, momentum, affine);
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 4;
    }

    @Override
    String expected() {
        return "N x C x H x W";
    }
}
