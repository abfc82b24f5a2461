package dev.fovea.train;

import dev.fovea.optim.Optimizer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Steers a {@link Trainer} from other threads while it runs (a web page, say): pause and resume, and change the
 * learning rate, momentum, weight decay and batch size on the fly. Give it to {@link Trainer#control}.
 *
 * <p><b>When changes apply.</b> Every change is only recorded by the calling thread; the training thread applies
 * it at the next step boundary, so an optimizer is never changed in the middle of an update. The learning rate
 * given is the new base rate: the schedule still multiplies it (as when PyTorch's {@code param_groups[i]["lr"]}
 * is set under a scheduler that scales it). The batch size applies from the next epoch, because an epoch's
 * batches and the schedule's step count are laid out when the epoch starts.
 *
 * <p><b>Reading the model safely.</b> The trainer holds this control's (fair) lock for the whole of each step:
 * forward, backward and update. {@link #betweenSteps(Supplier)} runs code while holding it, so what that code
 * sees of the model's weights and buffers is the state between two steps, never half an update; while training
 * is paused, finished or not started, it runs at once.
 *
 * <p>{@link #stop()} ends the run at the end of the current epoch.
 */
public final class TrainingControl {
    private final ReentrantLock stepLock = new ReentrantLock(true);
    private final ReentrantLock pauseLock = new ReentrantLock();
    private final Condition resumed = pauseLock.newCondition();
    private volatile boolean paused, stopRequested;
    private volatile Optimizer optimizer;
    private volatile double baseLearningRate = Double.NaN;
    private volatile int batchSize;
    private volatile String rejected;
    // Requested changes, taken by the training thread at the next step boundary; NaN means none.
    private double pendingLr = Double.NaN, pendingMomentum = Double.NaN, pendingWeightDecay = Double.NaN;

    /** Makes the trainer wait before its next step until {@link #resume()}. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        pauseLock.lock();
        try {
            paused = false;
            resumed.signalAll();
        } finally {
            pauseLock.unlock();
        }
    }

    public boolean isPaused() {
        return paused;
    }

    /** Ends the run once the current epoch is done (evaluated, checkpointed and reported), as early stopping would; resumes a paused run. */
    public void stop() {
        stopRequested = true;
        resume();
    }

    public boolean isStopRequested() {
        return stopRequested;
    }

    /** Why the optimizer refused the last change it was given at a step boundary, or null. */
    public String rejectedChange() {
        return rejected;
    }

    /** The optimizer of the run this control steers, or null before it starts. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The base learning rate (before the schedule's factor), with a requested change; NaN before the run. */
    public synchronized double baseLearningRate() {
        return Double.isNaN(pendingLr) ? baseLearningRate : pendingLr;
    }

    /** The momentum, with a requested change; NaN when the optimizer has none or before the run. */
    public synchronized double momentum() {
        Optimizer o = optimizer;
        return !Double.isNaN(pendingMomentum) ? pendingMomentum : o == null ? Double.NaN : o.momentum();
    }

    /** The weight decay, with a requested change; NaN before the run. */
    public synchronized double weightDecay() {
        Optimizer o = optimizer;
        return !Double.isNaN(pendingWeightDecay) ? pendingWeightDecay : o == null ? Double.NaN : o.weightDecay();
    }

    /** The batch size, with a requested change (it applies from the next epoch); 0 before the run. */
    public int batchSize() {
        return batchSize;
    }

    /** A new base learning rate from the next step on (the schedule still applies). */
    public synchronized void setLearningRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be a non-negative number, got " + lr);
        pendingLr = lr;
    }

    /** A new momentum from the next step on; refused when the optimizer has none (Adam's is its beta1). */
    public synchronized void setMomentum(double momentum) {
        Optimizer o = requireStarted();
        if (Double.isNaN(o.momentum())) throw new IllegalArgumentException(o.typeName() + " has no momentum");
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        pendingMomentum = momentum;
    }

    /** A new weight decay from the next step on. */
    public synchronized void setWeightDecay(double weightDecay) {
        Optimizer o = requireStarted();
        if (Double.isNaN(o.weightDecay())) throw new IllegalArgumentException(o.typeName() + " has no weight decay");
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new IllegalArgumentException("weight decay must be a non-negative number, got " + weightDecay);
        pendingWeightDecay = weightDecay;
    }

    /** A new batch size from the next epoch on. */
    public void setBatchSize(int batchSize) {
        if (batchSize < 1 || batchSize > 65536) throw new IllegalArgumentException("batch size must be between 1 and 65536, got " + batchSize);
        this.batchSize = batchSize;
    }

    /**
     * Runs {@code action} between two training steps (at once when no step is running) and returns its result:
     * the way to copy weights or read gradients while a model trains.
     */
    public <T> T betweenSteps(Supplier<T> action) {
        stepLock.lock();
        try {
            return action.get();
        } finally {
            stepLock.unlock();
        }
    }

    private Optimizer requireStarted() {
        Optimizer o = optimizer;
        if (o == null) throw new IllegalStateException("training has not started yet");
        return o;
    }

    // ---------------------------------------------------------------- the training thread's side

    /** At the start of a run. */
    synchronized void attach(Optimizer optimizer, int batchSize, double baseLearningRate) {
        this.optimizer = optimizer;
        if (this.batchSize == 0) this.batchSize = batchSize;
        this.baseLearningRate = baseLearningRate;
    }

    /** Waits while paused, then takes the step lock; returns the nanoseconds spent paused. */
    long beforeStep() {
        long waited = 0;
        if (paused) {
            long t0 = System.nanoTime();
            pauseLock.lock();
            try {
                while (paused) resumed.await(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while paused", e);
            } finally {
                pauseLock.unlock();
            }
            waited = System.nanoTime() - t0;
        }
        stepLock.lock();
        return waited;
    }

    /** Applies requested changes to the optimizer (holding the step lock) and returns the base rate to use. */
    synchronized double applyChanges(Optimizer optimizer, double baseLr) {
        try {
            if (!Double.isNaN(pendingMomentum)) optimizer.setMomentum(pendingMomentum);
            if (!Double.isNaN(pendingWeightDecay)) optimizer.setWeightDecay(pendingWeightDecay);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            rejected = e.getMessage(); // such as Nesterov momentum set to 0: training goes on unchanged
        }
        if (!Double.isNaN(pendingLr)) baseLr = pendingLr;
        pendingMomentum = pendingWeightDecay = pendingLr = Double.NaN;
        baseLearningRate = baseLr;
        return baseLr;
    }

    void afterStep() {
        if (stepLock.isHeldByCurrentThread()) stepLock.unlock();
    }
}
