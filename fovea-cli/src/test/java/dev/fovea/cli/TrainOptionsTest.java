package dev.fovea.cli;

import dev.fovea.io.ModelFile;
import dev.fovea.models.LeNet5;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training options of {@code fovea train} on small slices of Fashion-MNIST, and their mistakes. */
class TrainOptionsTest {
    @TempDir
    Path dir;

    private static void assertOneLineError(Cli r, int code, String... fragments) {
        assertEquals(code, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected, got: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace expected: " + err);
        for (String f : fragments) assertTrue(err.contains(f), "expected '" + f + "' in: " + err);
    }

    private static Map<String, Tensor> weights(Path model) throws Exception {
        return ModelFile.load(model).model().stateDict();
    }

    private static void assertSameWeights(Map<String, Tensor> a, Map<String, Tensor> b, List<String> prefixes) {
        for (String k : a.keySet()) {
            if (prefixes == null || prefixes.stream().anyMatch(p -> k.startsWith(p + "."))) {
                assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
            }
        }
    }

    private static Cli ok(String... args) {
        Cli r = Cli.run(args);
        assertEquals(0, r.code(), r.out() + r.err());
        return r;
    }

    @Test
    void twoEpochsPlusResumeEqualThreeEpochs() throws Exception {
        Path three = dir.resolve("three.fovea"), two = dir.resolve("two.fovea"), resumed = dir.resolve("resumed.fovea"), ck = dir.resolve("run.ckpt");
        // A constant schedule, so that a run planned for 2 epochs is the first 2 epochs of one planned for 3.
        List<String> common = List.of("train", "--limit", "2000", "--seed", "5", "--schedule", "constant", "--lr", "0.02");
        ok(concat(common, "--epochs", "3", "--out", three.toString()));
        ok(concat(common, "--epochs", "2", "--checkpoint", ck.toString(), "--out", two.toString()));
        assertTrue(Files.exists(ck));
        // The checkpoint carries the options; --epochs extends the run and --out names the result.
        Cli r = ok("train", "--resume", ck.toString(), "--epochs", "3", "--out", resumed.toString());
        assertTrue(r.out().contains("Resuming after epoch 2 of 3"), r.out());
        assertTrue(r.out().contains("epoch 3/3"), r.out());
        assertFalse(r.out().contains("epoch 1/3"), r.out());
        assertSameWeights(weights(three), weights(resumed), null);
        assertEquals(3L, ModelFile.load(resumed).metadata().get("epochs"));
        // After the resumed epoch the checkpoint was brought up to date; resuming it again trains nothing more and saves
        // the same weights (what a run killed between its last checkpoint and saving the model needs); fewer epochs are refused.
        Path again = dir.resolve("again.fovea");
        Cli r2 = ok("train", "--resume", ck.toString(), "--out", again.toString());
        assertTrue(r2.out().contains("The checkpoint has completed all 3 epochs: nothing left to train"), r2.out());
        assertSameWeights(weights(resumed), weights(again), null);
        assertOneLineError(Cli.run("train", "--resume", ck.toString(), "--epochs", "2"), 1, "already completed 3 epochs");
        // A resumed run cannot change what the run is.
        assertOneLineError(Cli.run("train", "--resume", ck.toString(), "--epochs", "4", "--batch", "32"), 2, "--batch", "used 64", "cannot change");
        assertOneLineError(Cli.run("train", "--resume", ck.toString(), "--init", two.toString()), 2, "--init and --resume");

        // Damaged or wrong files are refused with a clear message.
        byte[] bytes = Files.readAllBytes(ck);
        Path truncated = dir.resolve("truncated.ckpt");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        assertOneLineError(Cli.run("train", "--resume", truncated.toString()), 1, "truncated.ckpt: checksum mismatch: the checkpoint is truncated or was altered");
        assertOneLineError(Cli.run("train", "--resume", two.toString()), 1, "a Fovea model file, not a checkpoint");
        assertOneLineError(Cli.run("train", "--resume", dir.resolve("none.ckpt").toString()), 1, "none.ckpt");

        // And fovea eval reports top-1, top-5, per-class accuracy and the confusion matrix.
        Cli ev = ok("eval", resumed.toString());
        assertTrue(ev.out().matches("(?s).*loss \\d+\\.\\d{4}, top-1 accuracy \\d+\\.\\d\\d%, top-5 accuracy \\d+\\.\\d\\d%.*"), ev.out());
        assertEquals(10, ev.out().lines().filter(l -> l.matches("\\s+\\S.*\\d+\\.\\d+% +(\\s+\\d+){10}")).count(), ev.out());
        Cli top3 = ok("eval", resumed.toString(), "--top", "3");
        assertTrue(top3.out().contains("top-3 accuracy"), top3.out());
    }

    private static String[] concat(List<String> a, String... b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void initWithAnotherClassCountReplacesTheHeadAndFreezeKeepsWeights() throws Exception {
        Rng.manualSeed(1);
        Module five = LeNet5.create(1, 5);
        Path init = dir.resolve("five.fovea");
        ModelFile.save(init, five, Map.of("model", "lenet5", "inputShape", new int[] {1, 28, 28}));
        Path out = dir.resolve("tuned.fovea");
        Cli r = ok("train", "--init", init.toString(), "--freeze", "0,3,7,9", "--limit", "500", "--epochs", "1", "--out", out.toString());
        assertTrue(r.out().contains("Starting from the weights of " + init), r.out());
        assertTrue(r.out().contains("Replaced the classifier 11 (Linear 84 -> 5) with a new Linear(84, 10) for 10 classes"), r.out());
        assertTrue(r.out().contains("Frozen: 60,856 of 61,706 parameters (0, 3, 7, 9)"), r.out());
        Map<String, Tensor> before = five.stateDict(), after = weights(out);
        assertSameWeights(before, after, List.of("0", "3", "7", "9"));
        assertArrayEquals(new int[] {10, 84}, after.get("11.weight").shape());
        // A matching class count keeps the head, and its weights start where the file left them.
        Path again = dir.resolve("again.fovea");
        Cli same = ok("train", "--init", out.toString(), "--lr", "0", "--limit", "200", "--epochs", "1", "--out", again.toString());
        assertFalse(same.out().contains("Replaced"), same.out());
        assertSameWeights(after, weights(again), null);
        assertOneLineError(Cli.run("train", "--init", init.toString(), "--model", "lenet5"), 2, "leave out --model");
    }

    @Test
    void lrMultipliersMakeParameterGroups() throws Exception {
        Path out = dir.resolve("mult.fovea");
        Cli r = ok("train", "--lr-mult", "0=0", "--lr-mult", "3=0.5,11=2", "--limit", "300", "--epochs", "1", "--seed", "8", "--out", out.toString());
        assertTrue(r.out().contains("Learning-rate multipliers: others x1.0 (58,284), 0 x0.0 (156), 3 x0.5 (2,416), 11 x2.0 (850)"), r.out());
        Rng.manualSeed(8);
        Map<String, Tensor> initial = LeNet5.create(1, 10).stateDict(), trained = weights(out);
        assertSameWeights(initial, trained, List.of("0"));
        assertFalse(Arrays.equals(initial.get("3.weight").toFloatArray(), trained.get("3.weight").toFloatArray()));
        assertOneLineError(Cli.run("train", "--lr-mult", "head=2", "--limit", "100"), 2, "--lr-mult", "'head' matches no parameter", "0.weight");
        assertOneLineError(Cli.run("train", "--freeze", "features", "--limit", "100"), 2, "--freeze", "'features' matches no parameter");
    }

    @Test
    void otherOptimizersSchedulesValidationAndEarlyStopping() {
        Cli r = ok("train", "--optimizer", "adamw", "--schedule", "onecycle", "--warmup", "1", "--label-smoothing", "0.1", "--val-split", "0.2",
                "--early-stop", "1", "--limit", "1000", "--epochs", "2", "--out", dir.resolve("adamw.fovea").toString());
        assertTrue(r.out().contains("800 training, 200 validation and 10,000 test images, 2 epochs, batch 64, lr 0.001 (adamw, onecycle schedule, 1 warm-up epoch, label smoothing 0.1)"), r.out());
        assertTrue(r.out().contains("val acc"), r.out());
        ok("train", "--optimizer", "rmsprop", "--centered", "--momentum", "0.5", "--lr", "0.001", "--schedule", "multistep", "--milestones", "1",
                "--limit", "300", "--epochs", "2", "--out", dir.resolve("rms.fovea").toString());
        ok("train", "--optimizer", "adam", "--betas", "0.8,0.99", "--schedule", "exp", "--gamma", "0.5", "--limit", "300", "--epochs", "1",
                "--out", dir.resolve("adam.fovea").toString());
        ok("train", "--nesterov", "--schedule", "step", "--step-size", "1", "--limit", "300", "--epochs", "1", "--out", dir.resolve("sgd.fovea").toString());
    }

    @Test
    void divergenceNamesEpochAndStep() {
        Cli r = Cli.run("train", "--lr", "1e5", "--limit", "640", "--epochs", "1", "--out", dir.resolve("nan.fovea").toString());
        assertOneLineError(r, 1, "training diverged", "at epoch 1, step", "the first non-finite output came from layer");
    }

    @Test
    void mistakesInTheNewOptionsAreNamed() {
        assertOneLineError(Cli.run("train", "--optimizer", "adagrad"), 2, "unknown optimizer 'adagrad'", "adamw");
        assertOneLineError(Cli.run("train", "--schedule", "linear"), 2, "--schedule", "unknown schedule 'linear'", "onecycle");
        assertOneLineError(Cli.run("train", "--schedule", "step"), 2, "needs --step-size");
        assertOneLineError(Cli.run("train", "--schedule", "multistep"), 2, "needs --milestones");
        assertOneLineError(Cli.run("train", "--schedule", "multistep", "--milestones", "5,2"), 2, "--milestones", "increasing");
        assertOneLineError(Cli.run("train", "--schedule", "multistep", "--milestones", "5,x"), 2, "--milestones", "whole numbers");
        assertOneLineError(Cli.run("train", "--schedule", "exp"), 2, "needs --gamma");
        assertOneLineError(Cli.run("train", "--step-size", "3"), 2, "--step-size", "only the step schedule");
        assertOneLineError(Cli.run("train", "--gamma", "0.5"), 2, "--gamma", "only the step, multistep and exp");
        assertOneLineError(Cli.run("train", "--schedule", "step", "--step-size", "0"), 2, "--step-size", "at least 1");
        assertOneLineError(Cli.run("train", "--warmup", "20"), 2, "--warmup", "more than the 10 epochs");
        assertOneLineError(Cli.run("train", "--early-stop", "3"), 2, "--early-stop", "--val-split");
        assertOneLineError(Cli.run("train", "--val-split", "1.5"), 2, "--val-split", "between 0 and 1");
        assertOneLineError(Cli.run("train", "--val-split", "half"), 2, "--val-split", "number");
        assertOneLineError(Cli.run("train", "--label-smoothing", "1"), 2, "--label-smoothing", "below 1");
        assertOneLineError(Cli.run("train", "--label-smoothing", "-0.1"), 2, "--label-smoothing", "at least 0");
        assertOneLineError(Cli.run("train", "--lr-mult", "0"), 2, "--lr-mult", "PREFIX=X");
        assertOneLineError(Cli.run("train", "--lr-mult", "0=fast"), 2, "--lr-mult", "'fast' is not a number");
        assertOneLineError(Cli.run("train", "--lr-mult", "0=-1"), 2, "--lr-mult", "non-negative");
        assertOneLineError(Cli.run("train", "--lr-mult", "0=1,0=2"), 2, "--lr-mult", "given twice");
        assertOneLineError(Cli.run("train", "--freeze", "0,,3"), 2, "--freeze", "empty entry");
        assertOneLineError(Cli.run("train", "--optimizer", "adam", "--momentum", "0.9"), 2, "--momentum", "--betas");
        assertOneLineError(Cli.run("train", "--betas", "0.9,0.99"), 2, "--betas", "only adam and adamw");
        assertOneLineError(Cli.run("train", "--optimizer", "adam", "--betas", "0.9"), 2, "--betas", "two numbers");
        assertOneLineError(Cli.run("train", "--optimizer", "adam", "--betas", "0.9,1.2"), 2, "--betas", "[0, 1)");
        assertOneLineError(Cli.run("train", "--optimizer", "adam", "--nesterov"), 2, "--nesterov", "only sgd");
        assertOneLineError(Cli.run("train", "--centered"), 2, "--centered", "only rmsprop");
        assertOneLineError(Cli.run("train", "--early-stp", "3"), 2, "unknown option --early-stp", "did you mean --early-stop?");
        assertOneLineError(Cli.run("train", "--resume"), 2, "--resume needs a value");
        assertOneLineError(Cli.run("eval", "x.fovea", "--top", "0"), 2, "--top", "at least 1");
        Cli help = Cli.run("train", "--help");
        for (String o : List.of("--optimizer", "--schedule", "--step-size", "--gamma", "--milestones", "--warmup", "--label-smoothing", "--val-split",
                "--early-stop", "--checkpoint", "--resume", "--init", "--freeze", "--lr-mult")) {
            assertTrue(help.out().contains(o), o + " missing from: " + help.out());
        }
    }
}
