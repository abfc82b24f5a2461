package dev.fovea.kernels;

/**
 * Scratch buffers that live as long as their thread and grow to the largest size asked for, so that the
 * temporary matrices of a training step (im2col columns and their gradients) are allocated once, not per step.
 * A slot's contents are only valid until the next request for the same slot on the same thread.
 */
public final class Workspace {
    private Workspace() {}

    public static final int SLOTS = 4;

    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[SLOTS][0]);

    /**
     * A buffer of at least {@code length} numbers in {@code like}'s precision: for float32 the thread's reusable
     * slot (contents unspecified), otherwise a fresh zeroed buffer.
     */
    public static Buf get(Buf like, int slot, int length) {
        if (!(like instanceof Buf.F32)) return like.like(length);
        float[][] slots = FLOATS.get();
        if (slots[slot].length < length) slots[slot] = new float[length];
        return new Buf.F32(slots[slot]);
    }
}
