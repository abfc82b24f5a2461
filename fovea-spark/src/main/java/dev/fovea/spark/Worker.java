package dev.fovea.spark;

import dev.fovea.kernels.Arena;
import dev.fovea.nn.AuxiliaryOutputs;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Module;
import dev.fovea.optim.Optimizer;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Trainer;

import java.io.Serializable;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;

/** What runs on the executors: one partition's share of a training round, or of an evaluation. */
final class Worker {
    private Worker() {}

    /** Broadcast once per run: the model's architecture (JSON), the loss, and for local SGD the optimizer's maker. */
    record Job(String architecture, double labelSmoothing, OptimizerFactory optimizer) implements Serializable {}

    /** Broadcast every round: the driver's parameters and buffers, and for local SGD its optimizer state. */
    record Weights(float[] parameters, float[] buffers, OptimizerSnapshot optimizer) implements Serializable {}

    /**
     * One round's work, in the task itself (a few hundred bytes): the global batches it covers, as dataset indices,
     * and the learning rate of each; {@code local} for local SGD (a step after each batch) rather than one gradient.
     */
    /** A round's batches, with each step's learning rate and cycled momentum (NaN: the optimizer's own). */
    record Task(int[][] batches, double[] learningRates, double[] momenta, boolean local) implements Serializable {}

    /** Sums of an evaluation; the confusion matrix's rows are true classes. */
    static final class Evaluation implements Serializable {
        long[][] confusion;
        double lossSum;
        long inTopK, count;
        int topK;

        Evaluation merge(Evaluation o) {
            if (o.confusion == null) return this;
            if (confusion == null) return o;
            for (int i = 0; i < confusion.length; i++) for (int j = 0; j < confusion.length; j++) confusion[i][j] += o.confusion[i][j];
            lossSum += o.lossSum;
            inTopK += o.inTopK;
            count += o.count;
            return this;
        }

        Trainer.Evaluation result() {
            int k = confusion.length;
            int[][] c = new int[k][k];
            long correct = 0;
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) c[i][j] = Math.toIntExact(confusion[i][j]);
                correct += confusion[i][i];
            }
            return new Trainer.Evaluation(lossSum / count, (double) correct / count, c, topK, (double) inTopK / count);
        }
    }

    /** Partition {@code shard}'s contribution to a round. */
    static Contribution train(Shard shard, Job job, Weights w, Task task) {
        long t0 = System.nanoTime();
        Contribution c = new Contribution();
        Module model = ModelPool.borrow(job.architecture());
        try {
            List<Tensor> params = model.parameters();
            Collection<Tensor> buffers = model.namedBuffers().values();
            Flat.load(params, w.parameters());
            Flat.load(buffers, w.buffers());
            model.train();
            CrossEntropyLoss loss = new CrossEntropyLoss(job.labelSmoothing());
            if (task.local()) {
                localSteps(c, shard, model, params, buffers, loss, job, w, task);
            } else {
                gradient(c, shard, model, params, buffers, loss, task.batches()[0]);
            }
        } finally {
            ModelPool.giveBack(job.architecture(), model);
        }
        c.computeSeconds = (System.nanoTime() - t0) / 1e9;
        return c;
    }

    /**
     * Each executor thread's step arena, kept across its tasks: a step's activations and gradients reuse the last
     * step's arrays, as in the local Trainer (the loss value and the correct count are read inside the scope).
     */
    private static final ThreadLocal<Arena> ARENA = ThreadLocal.withInitial(Arena::new);

    /** Synchronous SGD: the sum of the per-example gradients of this shard's part of the batch. */
    private static void gradient(Contribution c, Shard shard, Module model, List<Tensor> params, Collection<Tensor> buffers,
                                 CrossEntropyLoss loss, int[] batch) {
        int[] mine = mine(shard, batch);
        if (mine.length == 0) return;
        Step s;
        try (Arena.Scope scope = ARENA.get().open()) {
            s = step(model, loss, shard, mine);
            model.zeroGrad();
            s.loss.backward();
        }
        float n = mine.length;
        c.gradients = new float[Flat.count(params)];
        c.hasGradient = new boolean[params.size()];
        int at = 0;
        for (int i = 0; i < params.size(); i++) {
            Tensor g = params.get(i).grad();
            if (g != null) {
                c.hasGradient[i] = true;
                // The loss is the mean over this shard's n examples; times n, it is their sum, which adds up across shards.
                Flat.addScaled(c.gradients, at, g, n);
            }
            at += params.get(i).numel();
        }
        c.buffers = weighted(buffers, n);
        c.lossSum = s.value * mine.length;
        c.correct = s.correct;
        c.count = mine.length;
    }

    /** Local SGD: a step of this partition's own optimizer after each batch, then its weights and state, weighted. */
    private static void localSteps(Contribution c, Shard shard, Module model, List<Tensor> params, Collection<Tensor> buffers,
                                   CrossEntropyLoss loss, Job job, Weights w, Task task) {
        Optimizer opt = job.optimizer().create(model);
        opt.importState(w.optimizer().toState());
        long seen = 0;
        for (int j = 0; j < task.batches().length; j++) {
            int[] mine = mine(shard, task.batches()[j]);
            if (mine.length == 0) continue;
            Step s;
            try (Arena.Scope scope = ARENA.get().open()) {
                s = step(model, loss, shard, mine);
                opt.zeroGrad();
                s.loss.backward();
            }
            opt.setLearningRate(task.learningRates()[j]);
            if (!Double.isNaN(task.momenta()[j])) opt.setCycledMomentum(task.momenta()[j]);
            opt.step();
            c.lossSum += s.value * mine.length;
            c.correct += s.correct;
            seen += mine.length;
        }
        if (seen == 0) return;
        float n = seen;
        c.count = seen;
        c.parameters = weighted(params, n);
        c.buffers = weighted(buffers, n);
        Optimizer.State state = opt.exportState();
        c.optimizerState = new LinkedHashMap<>();
        for (var e : state.tensors().entrySet()) {
            float[] v = new float[e.getValue().numel()];
            Flat.addScaled(v, 0, e.getValue(), n);
            c.optimizerState.put(e.getKey(), v);
        }
        c.steps = Contribution.steps(state.info());
        OptimizerSnapshot full = OptimizerSnapshot.of(state);
        c.optimizerTemplate = new OptimizerSnapshot(full.type(), full.info(), new LinkedHashMap<>(), full.shapes());
    }

    private static float[] weighted(Collection<Tensor> ts, float n) {
        if (ts.isEmpty()) return null;
        float[] out = new float[Flat.count(ts)];
        int at = 0;
        for (Tensor t : ts) {
            Flat.addScaled(out, at, t, n);
            at += t.numel();
        }
        return out;
    }

    /** The positions in {@code shard} of the batch's samples that it holds, in batch order. */
    static int[] mine(Shard shard, int[] batch) {
        int n = 0;
        for (int i : batch) if (shard.holds(i)) n++;
        int[] out = new int[n];
        n = 0;
        for (int i : batch) if (shard.holds(i)) out[n++] = i - shard.start();
        return out;
    }

    private record Step(Tensor loss, double value, long correct) {}

    /** The forward pass on samples {@code local} of the shard, with auxiliary classifiers' losses as the Trainer adds them. */
    private static Step step(Module model, CrossEntropyLoss loss, Shard shard, int[] local) {
        int[] shape = shard.sampleShape();
        int n = shard.sampleSize();
        float[] x = new float[local.length * n];
        int[] labels = new int[local.length];
        for (int i = 0; i < local.length; i++) {
            shard.sample(local[i], x, i * n);
            labels[i] = shard.label(local[i]);
        }
        Tensor images = Tensor.of(x, local.length, shape[0], shape[1], shape[2]);
        Tensor logits, l;
        if (model instanceof AuxiliaryOutputs aux) {
            AuxiliaryOutputs.Outputs o = aux.forwardTraining(images);
            logits = o.logits();
            l = loss.forward(logits, labels);
            for (Tensor side : o.auxiliary()) l = l.add(loss.forward(side, labels).mul(o.weight()));
        } else {
            logits = model.call(images);
            l = loss.forward(logits, labels);
        }
        int[] pred = logits.argmax(1);
        long correct = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == labels[i]) correct++;
        return new Step(l, l.item(), correct);
    }

    /** Partition {@code shard}'s share of an evaluation (evaluation mode, no graph), with the single-machine code. */
    static Evaluation evaluate(Shard shard, String architecture, Weights w, int topK) {
        Evaluation e = new Evaluation();
        if (shard.size() == 0) return e;
        Module model = ModelPool.borrow(architecture);
        try {
            Flat.load(model.parameters(), w.parameters());
            Flat.load(model.namedBuffers().values(), w.buffers());
            Trainer.Evaluation r = Trainer.evaluate(model, shard, 256, topK);
            int k = r.confusion().length;
            e.confusion = new long[k][k];
            for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) e.confusion[i][j] = r.confusion()[i][j];
            e.count = shard.size();
            e.lossSum = r.loss() * e.count;
            e.inTopK = Math.round(r.topKAccuracy() * e.count);
            e.topK = r.topK();
        } finally {
            ModelPool.giveBack(architecture, model);
        }
        return e;
    }
}
