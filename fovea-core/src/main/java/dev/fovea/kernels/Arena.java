package dev.fovea.kernels;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;

/**
 * Reuses the float32 arrays of one training step in the next, so that a steady-state step allocates nothing in
 * proportion to its activations.
 *
 * <p>Every operation allocates its output and every backward its gradients ({@link Buf#like}); a ResNet-20 step at
 * batch 128 asks for 660-800 MB that way, most of it in arrays large enough that the JVM allocates them outside
 * its thread-local buffers and collects them with extra work. Inside {@link #open()}, those arrays come from this
 * arena instead: each request takes a released array of exactly that length (zero-filled unless the operation
 * writes it in full, {@link Buf#likeForOverwrite}) or allocates a new one, and closing the scope releases every
 * array taken in it. Steps of the same shapes make the same requests in the same order, so from the second step
 * on every request is met from the arena. The backward pass also gives each gradient back as soon as it has been
 * consumed ({@link #recycle}), so an arena holds a step's activations and only the gradients alive at one time.
 *
 * <p>What the scope allocated must not be used after it closes: the loss value, the predictions and anything else
 * a step reports are read inside it. What outlives a step is allocated with {@link Buf#allocate} and never comes
 * from an arena: parameters, their gradients ({@code Tensor.grad()}), optimizer state and running statistics.
 * {@link #Arena(boolean)} with {@code poison} (or {@code -Dfovea.arena.poison=true}) fills released arrays with NaN,
 * so that a use after the step shows up as NaN in whatever read it; the test suites run with it on.
 *
 * <p>An arena keeps the arrays of the last step that used it and no more: the first request for a length the last
 * step never asked for (the batch size changed, say, for the last batch of an epoch) drops the arrays not yet
 * taken, so the memory held stays one step's worth. Float64 buffers (gradient checks) are never pooled; int arrays
 * (max pooling's arg-max indices) are, like float32 ones. One thread at a time; {@code -Dfovea.arena=false} turns
 * every arena off (for comparing the two).
 */
public final class Arena {
    private static final boolean ENABLED = !"false".equals(System.getProperty("fovea.arena"));
    private static final ThreadLocal<Arena> OPEN = new ThreadLocal<>();

    private final boolean poison;
    private final HashMap<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private final LinkedHashSet<float[]> taken = new LinkedHashSet<>(); // arrays hash by identity
    private final HashMap<Integer, ArrayDeque<int[]>> freeInts = new HashMap<>();
    private final ArrayList<int[]> takenInts = new ArrayList<>();
    private boolean missed;
    private long heldBytes;

    /** An arena that poisons released arrays when the system property {@code fovea.arena.poison} is true. */
    public Arena() {
        this(Boolean.getBoolean("fovea.arena.poison"));
    }

    /** With {@code poison}, released arrays are filled with NaN (for tests and for finding a use after the step). */
    public Arena(boolean poison) {
        this.poison = poison;
    }

    /** The scope of one step; closing it releases every array the step took. */
    public final class Scope implements AutoCloseable {
        private final Arena outer;
        private boolean closed;

        private Scope(Arena outer, boolean active) {
            this.outer = outer;
            this.closed = !active;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (outer == null) OPEN.remove();
            else OPEN.set(outer);
            release();
        }
    }

    /** Makes this thread's float32 allocations come from this arena until the scope closes. */
    public Scope open() {
        if (!ENABLED) return new Scope(null, false);
        Arena outer = OPEN.get();
        if (outer == this) throw new IllegalStateException("this arena is already open on this thread");
        OPEN.set(this);
        missed = false;
        return new Scope(outer, true);
    }

    /** Bytes of arrays this arena holds for the next step. */
    public long heldBytes() {
        return heldBytes;
    }

    /** A zero-filled float32 array: from the arena open on this thread, if any, else new. */
    static float[] floats(int n) {
        Arena a = OPEN.get();
        return a == null ? new float[n] : a.take(n, true);
    }

    /**
     * A float32 array whose contents are unspecified (in an arena, whatever the last step left there; NaN when
     * poisoned): for an output its operation writes in full. A ResNet-20 step with no zero-fill at all ran 8-10%
     * faster than with every array zero-filled, and most of its outputs are written in full.
     */
    static float[] floatsForOverwrite(int n) {
        Arena a = OPEN.get();
        return a == null ? new float[n] : a.take(n, false);
    }

    /** An int array whose contents are unspecified (-1 when poisoned), for indices an operation writes in full. */
    public static int[] intsForOverwrite(int n) {
        Arena a = OPEN.get();
        if (a == null) return new int[n];
        ArrayDeque<int[]> q = a.freeInts.get(n);
        int[] t = q == null ? null : q.poll();
        if (t == null) {
            if (q == null) a.dropUntakenOnFirstMiss();
            t = new int[n];
        }
        a.takenInts.add(t);
        return t;
    }

    /**
     * Gives {@code b}'s array back before the scope ends, when the caller knows nothing will read it again (the
     * backward pass does this with each gradient once it is consumed): the rest of the step can reuse it, so an
     * arena holds the activations and the gradients alive at one time, not every gradient of the step. Does
     * nothing for an array this thread's open arena did not hand out in its current scope.
     */
    public static void recycle(Buf b) {
        Arena a = OPEN.get();
        if (a == null || !(b instanceof Buf.F32 f) || !a.taken.remove(f.a)) return;
        if (a.poison) Arrays.fill(f.a, Float.NaN);
        a.free.computeIfAbsent(f.a.length, k -> new ArrayDeque<>()).add(f.a);
    }

    private float[] take(int n, boolean zero) {
        ArrayDeque<float[]> q = free.get(n);
        float[] a = q == null ? null : q.poll();
        if (a == null) {
            // A length the last step never asked for means the shapes changed (an empty queue only means this
            // step asks for more of a length, or in another order, than the last one did).
            if (q == null) dropUntakenOnFirstMiss();
            a = new float[n];
        } else if (zero) {
            Arrays.fill(a, 0f);
        }
        taken.add(a);
        return a;
    }

    private void dropUntakenOnFirstMiss() {
        if (missed) return;
        // The shapes changed: what was not taken so far will not be either; let it go.
        missed = true;
        free.clear();
        freeInts.clear();
    }

    private void release() {
        long held = 0;
        for (ArrayDeque<float[]> q : free.values()) for (float[] a : q) held += 4L * a.length;
        for (ArrayDeque<int[]> q : freeInts.values()) for (int[] a : q) held += 4L * a.length;
        for (float[] a : taken) {
            if (poison) Arrays.fill(a, Float.NaN);
            free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).add(a);
            held += 4L * a.length;
        }
        for (int[] a : takenInts) {
            if (poison) Arrays.fill(a, -1);
            freeInts.computeIfAbsent(a.length, k -> new ArrayDeque<>()).add(a);
            held += 4L * a.length;
        }
        taken.clear();
        takenInts.clear();
        heldBytes = held;
    }
}
