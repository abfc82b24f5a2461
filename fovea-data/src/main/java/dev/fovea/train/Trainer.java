package dev.fovea.train;

import dev.fovea.data.Batch;
import dev.fovea.data.DataLoader;
import dev.fovea.data.Dataset;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Module;
import dev.fovea.optim.LearningRateSchedule;
import dev.fovea.optim.Optimizer;
import dev.fovea.tensor.Autograd;
import dev.fovea.tensor.Tensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code fit}-style training loop: mini-batch gradient descent on cross-entropy, then a test pass, each epoch
 * reporting training loss and accuracy, test accuracy and images per second.
 */
public final class Trainer {
    /** One epoch's numbers. Accuracies are fractions in [0, 1]. */
    public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                              double imagesPerSecond, double seconds) {}

    /** Loss, accuracy and the confusion matrix (row: true class, column: predicted) of a model on a dataset. */
    public record Evaluation(double loss, double accuracy, int[][] confusion) {}

    private final Module model;
    private final Optimizer optimizer;
    private final CrossEntropyLoss loss;
    private PrintStream out = System.out;
    private boolean progressBar = Progress.isTerminal();
    private LearningRateSchedule schedule = LearningRateSchedule.CONSTANT;
    private boolean memoryReport;

    public Trainer(Module model, Optimizer optimizer, CrossEntropyLoss loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
    }

    /** Where progress goes (null for silence); the bar is drawn only when that is standard output on a terminal. */
    public Trainer output(PrintStream out) {
        return output(out, out == System.out && Progress.isTerminal());
    }

    /** Where progress goes (null for silence) and whether to draw a bar; by default stdout, bar on a terminal. */
    public Trainer output(PrintStream out, boolean progressBar) {
        this.out = out;
        this.progressBar = progressBar;
        return this;
    }

    /** Whether each epoch also reports bytes allocated per step, peak heap and garbage collections. */
    public Trainer memoryReport(boolean on) {
        this.memoryReport = on;
        return this;
    }

    /** How the learning rate moves from the optimizer's base rate over the run; constant by default. */
    public Trainer schedule(LearningRateSchedule schedule) {
        this.schedule = schedule;
        return this;
    }

    /** Trains for {@code epochs} epochs; {@code test} may be null. Batches are shuffled from {@code seed}. */
    public List<EpochResult> fit(Dataset train, Dataset test, int epochs, int batchSize, long seed) {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        DataLoader loader = new DataLoader(train, batchSize, true, seed);
        Progress progress = new Progress(out == null ? new PrintStream(PrintStream.nullOutputStream()) : out, progressBar && out != null);
        List<EpochResult> history = new ArrayList<>();
        double baseLr = optimizer.learningRate();
        long totalSteps = (long) epochs * loader.batchesPerEpoch(), globalStep = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            loader.setEpoch(epoch - 1);
            model.train();
            MemoryReport memory = memoryReport ? MemoryReport.start() : null;
            long start = System.nanoTime();
            double lossSum = 0;
            long correct = 0, seen = 0;
            int step = 0, steps = loader.batchesPerEpoch();
            String prefix = String.format("epoch %d/%d", epoch, epochs);
            for (Batch b : loader) {
                step++;
                Tensor logits = model.call(b.images());
                Tensor l = loss.forward(logits, b.labels());
                double lv = l.item();
                if (!Double.isFinite(lv)) {
                    throw new IllegalStateException("training diverged: the loss became " + lv + " at epoch " + epoch + ", step " + step
                            + " (try a smaller learning rate)");
                }
                optimizer.zeroGrad();
                l.backward();
                optimizer.setLearningRate(baseLr * schedule.factor(globalStep++, totalSteps));
                optimizer.step();
                lossSum += lv * b.size();
                correct += countCorrect(logits, b.labels());
                seen += b.size();
                if (memory != null) memory.sample();
                double secs = (System.nanoTime() - start) / 1e9;
                progress.update(prefix, step, steps, String.format("loss %.4f  acc %.2f%%  %,.0f img/s", lossSum / seen, 100.0 * correct / seen, seen / secs));
            }
            double secs = (System.nanoTime() - start) / 1e9;
            String memoryLine = memory == null ? null : memory.line(step);
            Evaluation ev = test == null ? null : evaluate(model, test, Math.max(batchSize, 256));
            EpochResult r = new EpochResult(epoch, lossSum / seen, (double) correct / seen,
                    ev == null ? Double.NaN : ev.loss(), ev == null ? Double.NaN : ev.accuracy(), seen / secs, secs);
            history.add(r);
            if (out != null && epoch == epochs) optimizer.setLearningRate(baseLr);
            progress.line(String.format("%s  loss %.4f  train acc %.2f%%%s  %,.0f img/s  %.1fs", prefix, r.trainLoss(), 100 * r.trainAccuracy(),
                    ev == null ? "" : String.format("  test acc %.2f%%", 100 * r.testAccuracy()), r.imagesPerSecond(), secs));
            if (memoryLine != null) progress.line("  " + memoryLine);
        }
        return history;
    }

    /** Evaluates in evaluation mode without recording a graph; the model's mode is restored afterwards. */
    public static Evaluation evaluate(Module model, Dataset data, int batchSize) {
        int k = data.numClasses();
        int[][] confusion = new int[k][k];
        double lossSum = 0;
        long correct = 0;
        boolean was = model.isTraining();
        model.eval();
        try (var ignored = Autograd.noGrad()) {
            for (Batch b : new DataLoader(data, batchSize, false, 0)) {
                Tensor logits = model.call(b.images());
                lossSum += dev.fovea.tensor.Losses.crossEntropy(logits, b.labels(), 0).item() * b.size();
                int[] pred = logits.argmax(1);
                for (int i = 0; i < pred.length; i++) {
                    confusion[b.labels()[i]][pred[i]]++;
                    if (pred[i] == b.labels()[i]) correct++;
                }
            }
        } finally {
            model.train(was);
        }
        return new Evaluation(lossSum / data.size(), (double) correct / data.size(), confusion);
    }

    private static int countCorrect(Tensor logits, int[] labels) {
        int[] pred = logits.argmax(1);
        int c = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == labels[i]) c++;
        return c;
    }
}
