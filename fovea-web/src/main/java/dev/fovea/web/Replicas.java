package dev.fovea.web;

import dev.fovea.io.Architecture;
import dev.fovea.kernels.Parallel;
import dev.fovea.nn.Module;
import dev.fovea.train.TrainingControl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Copies of the served model for the HTTP threads: how the page computes while the model may be training.
 *
 * <p><b>The choice.</b> Requests never run the live model. A fixed pool of replicas is built once, from the
 * model's architecture, when the server starts (before training does: building draws initial weights from the
 * global generator, which training also uses). A request borrows a replica, and when the live weights have
 * changed since the replica last copied them it copies them again, parameters and buffers, inside
 * {@link TrainingControl#betweenSteps}, so the copy is the state between two steps, never half an update. Then it
 * runs forward and backward passes on its own copy: gradients for the page land in the replica's tensors, never in
 * the live model's, and the training thread waits at most for one copy. The pool's size bounds how many
 * computations run at once; a request that finds none free within the timeout gets HTTP 503.
 *
 * <p><b>Threads.</b> With {@code serialKernels}, a request's kernels run on its own thread
 * ({@link Parallel#serial}) instead of being split over the cores by the shared kernel pool. The server does not:
 * measured with 64 clients on 2 cores (BENCHMARKS.md, "Web server under load"), the shared pool answered 35% more
 * predictions a second while a model trained and 5% more while it did not, and training itself went faster. (A
 * request's thread is virtual; a serial computation holds one of the few carrier threads all the while, where one
 * waiting for the pool's workers lets other requests' threads run.) The answers are the same bit for bit either way.
 */
final class Replicas {
    private final Module live;
    private final TrainingControl control;
    private final BlockingQueue<Copy> pool;
    private final LongSupplier liveVersion;
    private final boolean serialKernels;

    private static final class Copy {
        final Module model;
        long version = -1;

        Copy(Module model) {
            this.model = model;
        }
    }

    /** Too busy: every replica is in use. */
    static final class BusyException extends RuntimeException {
        BusyException() {
            super("the server is busy computing other requests; try again");
        }
    }

    /**
     * @param live    the served model
     * @param control the trainer's control while it trains, else null
     * @param count   replicas, at least 1
     * @param version moves whenever the live weights change (the count of training steps); constant when they do not
     * @param serialKernels run each computation's kernels on its own thread
     */
    Replicas(Module live, TrainingControl control, int count, LongSupplier version) {
        this(live, control, count, version, WebServer.SERIAL_KERNELS);
    }

    Replicas(Module live, TrainingControl control, int count, LongSupplier version, boolean serialKernels) {
        this.live = live;
        this.control = control;
        this.liveVersion = version;
        this.serialKernels = serialKernels;
        this.pool = new ArrayBlockingQueue<>(count);
        Object description;
        try {
            description = Architecture.describe(live);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the page needs a model built from registered layer types: " + e.getMessage(), e);
        }
        for (int i = 0; i < count; i++) pool.add(new Copy(Architecture.build(description)));
    }

    /** Runs {@code f} on a replica holding the live model's current weights, in evaluation mode. */
    <T> T with(Function<Module, T> f) {
        Copy c;
        try {
            c = pool.poll(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusyException();
        }
        if (c == null) throw new BusyException();
        try {
            long v = liveVersion.getAsLong();
            if (c.version != v) {
                if (control == null) c.model.loadStateDict(live.stateDict());
                else control.betweenSteps(() -> {
                    c.model.loadStateDict(live.stateDict());
                    return null;
                });
                c.version = v;
            }
            c.model.eval();
            if (!serialKernels) return f.apply(c.model);
            List<T> result = new ArrayList<>(1);
            Parallel.serial(() -> result.add(f.apply(c.model)));
            return result.getFirst();
        } finally {
            c.model.zeroGrad();
            pool.add(c);
        }
    }
}
