package dev.fovea.train;

import dev.fovea.data.Dataset;


/**
 * A deterministic hold-out split: the last fraction of a dataset becomes the validation set, the rest the
 * training set. Both are views that share the samples. Taking the tail (rather than a random draw) makes the
 * split the same in every run and independent of the seed; Fashion-MNIST's and MNIST's training files are not
 * sorted by class, so the tail is a fair sample.
 *
 * @param train      samples {@code 0 .. n - v - 1}
 * @param validation samples {@code n - v .. n - 1}, {@code v = round(n * fraction)}
 */
public record ValidationSplit(Dataset train, Dataset validation) {

    /** @throws IllegalArgumentException unless {@code 0 < fraction < 1} and both parts get at least one sample */
    public static ValidationSplit of(Dataset data, double fraction) {
        if (!(fraction > 0 && fraction < 1)) throw new IllegalArgumentException("validation fraction must be between 0 and 1, got " + fraction);
        int n = data.size();
        int v = (int) Math.round(n * fraction);
        if (v < 1 || v >= n) {
            throw new IllegalArgumentException("a validation fraction of " + fraction + " of " + n + " samples leaves " + v
                    + " for validation and " + (n - v) + " for training; both need at least one");
        }
        return new ValidationSplit(data.range(0, n - v, "training part, " + (n - v) + " samples"),
                data.range(n - v, v, "validation part, " + v + " samples"));
    }
}
