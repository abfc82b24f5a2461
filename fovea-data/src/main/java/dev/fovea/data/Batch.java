package dev.fovea.data;

import dev.fovea.tensor.Tensor;

import java.util.Arrays;

/**
 * One mini-batch: the images stacked into a {@code B x C x H x W} float32 tensor, their labels, and the dataset
 * indices they came from (so a misclassified image can be looked up again).
 *
 * <p>Each batch owns fresh arrays; a loader never reuses a buffer, so a batch stays valid after the next one is
 * made. The arrays are not copied, for speed; treat them as read-only.
 */
public record Batch(Tensor images, int[] labels, int[] indices) {
    public Batch {
        if (images.dim() != 4 || labels.length != images.size(0) || indices.length != labels.length) {
            throw new IllegalArgumentException("a batch needs B x C x H x W images, B labels and B indices, got images "
                    + Arrays.toString(images.shape()) + ", " + labels.length + " labels, " + indices.length
                    + " indices");
        }
    }

    /** The number of samples, B. */
    public int size() {
        return labels.length;
    }
}
