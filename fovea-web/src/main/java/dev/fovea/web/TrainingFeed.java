package dev.fovea.web;

import dev.fovea.train.Trainer;
import dev.fovea.train.TrainingControl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live side of {@code fovea train --ui}: records every training step and epoch for the page's curves, and
 * carries the page's requests (pause, resume, new hyperparameters, stop) to the trainer through its
 * {@link TrainingControl}. {@link #attach} wires a trainer to it; the step listener only appends to a list and
 * wakes the page's event streams, so training does not wait for browsers.
 */
public final class TrainingFeed {
    /** More steps than this are thinned: every other one is dropped, so a long run stays cheap to send. */
    static final int MAX_STEPS = 20_000;

    private final TrainingControl control;
    private final List<Map<String, Object>> steps = new ArrayList<>();
    private final List<Map<String, Object>> epochs = new ArrayList<>();
    private int thinning = 1, resets;
    private long stepCount;
    private long version;
    private String state = "waiting";
    private String message = "";
    private int totalEpochs;

    public TrainingFeed(TrainingControl control) {
        this.control = control;
    }

    public TrainingControl control() {
        return control;
    }

    /** Makes {@code trainer} report to this feed and obey its control; returns it. Replaces its epoch listener. */
    public Trainer attach(Trainer trainer, int epochs) {
        synchronized (this) {
            totalEpochs = epochs;
            state = "running";
            changed();
        }
        return trainer.control(control).onStep(this::step).onEpochEnd(this::epoch);
    }

    /** The run ended: normally (error null) or with an error the page should show. */
    public synchronized void finished(Throwable error) {
        state = error == null ? "finished" : "failed";
        message = error == null ? "" : String.valueOf(error.getMessage());
        changed();
    }

    /** The step listener {@link #attach} installs; package-private so a test can run its own listener beside it. */
    synchronized void step(Trainer.StepResult s) {
        stepCount++;
        if (stepCount % thinning == 0) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("step", s.globalStep());
            p.put("epoch", s.epoch() - 1 + (double) s.step() / s.stepsPerEpoch());
            p.put("loss", Numbers.round(s.loss()));
            p.put("accuracy", Numbers.round(s.accuracy()));
            p.put("imagesPerSecond", Numbers.round(s.imagesPerSecond()));
            p.put("learningRate", Numbers.round(s.learningRate()));
            p.put("batchSize", s.batchSize());
            steps.add(p);
            if (steps.size() > MAX_STEPS) {
                List<Map<String, Object>> kept = new ArrayList<>();
                for (int i = 0; i < steps.size(); i += 2) kept.add(steps.get(i));
                steps.clear();
                steps.addAll(kept);
                thinning *= 2;
                resets++; // the page takes the whole history again when it sees this move
            }
        }
        changed();
    }

    private synchronized void epoch(Trainer.EpochResult r) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("epoch", r.epoch());
        e.put("trainLoss", Numbers.round(r.trainLoss()));
        e.put("trainAccuracy", Numbers.round(r.trainAccuracy()));
        e.put("testLoss", Numbers.round(r.testLoss()));
        e.put("testAccuracy", Numbers.round(r.testAccuracy()));
        e.put("validationAccuracy", Numbers.round(r.validationAccuracy()));
        e.put("imagesPerSecond", Numbers.round(r.imagesPerSecond()));
        e.put("seconds", Numbers.round(r.seconds()));
        epochs.add(e);
        changed();
    }

    private void changed() {
        version++;
        notifyAll();
    }

    /**
     * Moves whenever the model's weights may have changed: after every step, and at the end of the run (early
     * stopping may restore its best weights). The replicas copy the weights again when it moves.
     */
    synchronized long weightsVersion() {
        return 2 * stepCount + (state.equals("finished") || state.equals("failed") ? 1 : 0);
    }

    /** Status, hyperparameters, and the steps and epochs from the given positions on (all of them when the history was thinned since). */
    synchronized Map<String, Object> since(int fromStep, int fromEpoch, int resetsSeen) {
        if (resetsSeen != resets) fromStep = 0;
        Map<String, Object> m = status();
        m.put("resets", resets);
        m.put("fromStep", Math.min(fromStep, steps.size()));
        m.put("steps", new ArrayList<>(steps.subList(Math.min(fromStep, steps.size()), steps.size())));
        m.put("fromEpoch", Math.min(fromEpoch, epochs.size()));
        m.put("epochs", new ArrayList<>(epochs.subList(Math.min(fromEpoch, epochs.size()), epochs.size())));
        return m;
    }

    synchronized Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        String s = state;
        if (s.equals("running") && control.isStopRequested()) s = "stopping";
        else if (s.equals("running") && control.isPaused()) s = "paused";
        m.put("state", s);
        m.put("message", message);
        m.put("totalEpochs", totalEpochs);
        m.put("stepCount", stepCount);
        m.put("version", version);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("optimizer", control.optimizer() == null ? null : control.optimizer().typeName());
        h.put("learningRate", Numbers.round(control.baseLearningRate()));
        h.put("momentum", Numbers.round(control.momentum()));
        h.put("weightDecay", Numbers.round(control.weightDecay()));
        h.put("batchSize", control.batchSize());
        h.put("rejected", control.rejectedChange());
        m.put("hyper", h);
        return m;
    }

    /** Waits until something changes after {@code seenVersion}, or the timeout; returns the current version. */
    synchronized long await(long seenVersion, long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (version == seenVersion) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) break;
            wait(left);
        }
        return version;
    }

    /** A page's request changed the state (pause, resume, stop, hyperparameters): tell the streams. */
    synchronized void touched() {
        changed();
    }
}
