package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.data.DataException;
import dev.fovea.data.TransformedDataset;
import dev.fovea.data.Transforms;
import dev.fovea.io.Checkpoint;
import dev.fovea.io.ModelFile;
import dev.fovea.models.Zoo;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Init;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.optim.Adam;
import dev.fovea.optim.AdamW;
import dev.fovea.optim.LearningRateSchedule;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.ParamGroup;
import dev.fovea.optim.RMSprop;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Autograd;
import dev.fovea.tensor.OpProfile;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Trainer;
import dev.fovea.train.ValidationSplit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code fovea train}: the one command that trains a model and saves it.
 *
 * <p>A checkpoint ({@code --checkpoint FILE}) records the run's options; {@code --resume FILE} takes every option
 * not given on its command line from there, so {@code fovea train --resume FILE} continues the same run, and
 * {@code --epochs N} extends it. Options that define the run (model, data, seed, batch, optimizer, groups) may
 * not change on resume.
 */
final class TrainCommand {
    private TrainCommand() {}

    static final String OPTIMIZERS = "sgd, adam, adamw, rmsprop";
    static final String SCHEDULES = "cosine, constant, step, multistep, exp, onecycle";
    /** Options that make a run what it is: a resumed run may not change them. */
    private static final List<String> SAME_RUN = List.of("model", "dataset", "limit", "val-split", "batch", "seed", "optimizer", "lr-mult", "augment", "image-size");
    /** Options a checkpoint does not carry over to a resumed run. */
    private static final Set<String> NOT_RECORDED = Set.of("resume", "init", "memory", "profile", "ui", "port", "host", "detect-anomaly");

    static Args args() {
        return new Args("train", "Trains a model (SGD with momentum 0.9 unless told otherwise) on a dataset's training split, reports\n"
                + "test accuracy after every epoch and saves the model.")
                .option("model", Args.Kind.TEXT, "NAME", "lenet5", "model to train: " + String.join(", ", Zoo.names()))
                .option("dataset", Args.Kind.TEXT, "NAME", "fashion-mnist", "dataset: " + Datasets.TRAIN_NAMES)
                .option("data-dir", Args.Kind.TEXT, "DIR", null, "folder with the dataset's files (default: the dataset's standard place)")
                .option("image-size", Args.Kind.INT, "N", null, "--dataset folder: resize every image to N x N RGB (default: 32)")
                .option("augment", Args.Kind.TEXT, "LIST", null, "augment the training images (not validation or test), in order; "
                        + Transforms.SYNTAX + "; for example crop:4,flip,erase:0.5")
                .option("epochs", Args.Kind.INT, "N", "10", "passes over the training set (with --resume: the total, counting those done)")
                .option("batch", Args.Kind.INT, "B", "64", "mini-batch size")
                .option("optimizer", Args.Kind.TEXT, "NAME", "sgd", "optimizer: " + OPTIMIZERS + " (PyTorch's update rules)")
                .option("lr", Args.Kind.NUMBER, "X", null, "learning rate at the start (default: 0.03 for sgd, 0.001 for adam and adamw, 0.01 for rmsprop)")
                .option("momentum", Args.Kind.NUMBER, "X", null, "momentum of sgd (default: 0.9) and rmsprop (default: 0); onecycle cycles it (and adam's beta1) from 0.95 to 0.85 and back, as PyTorch's OneCycleLR")
                .flag("nesterov", "Nesterov momentum (sgd)")
                .option("betas", Args.Kind.TEXT, "B1,B2", null, "moment decay rates of adam and adamw (default: 0.9,0.999)")
                .flag("centered", "centered rmsprop (divides by the gradient's estimated variance)")
                .option("weight-decay", Args.Kind.NUMBER, "X", null, "L2 weight decay; decoupled for adamw (default: 0.0005, 0.01 for adamw)")
                .option("schedule", Args.Kind.TEXT, "NAME", "cosine", "learning-rate schedule: " + SCHEDULES)
                .option("step-size", Args.Kind.INT, "N", null, "step schedule: multiply the rate by --gamma every N epochs")
                .option("milestones", Args.Kind.TEXT, "E1,E2,..", null, "multistep schedule: multiply the rate by --gamma at these epochs")
                .option("gamma", Args.Kind.NUMBER, "X", null, "decay factor of step and multistep (default: 0.1) and exp (per epoch; required)")
                .option("warmup", Args.Kind.INT, "EPOCHS", "0", "linear learning-rate warm-up over the first EPOCHS epochs, on top of the schedule")
                .option("label-smoothing", Args.Kind.NUMBER, "X", "0", "label smoothing of the cross-entropy, in [0, 1)")
                .option("val-split", Args.Kind.NUMBER, "F", null, "hold out the last fraction F of the training set for validation")
                .option("early-stop", Args.Kind.INT, "PATIENCE", null, "stop when validation accuracy has not improved for PATIENCE epochs; keep the best weights (needs --val-split)")
                .option("seed", Args.Kind.INT, "S", "42", "seed for initialisation and shuffling")
                .option("limit", Args.Kind.INT, "N", null, "train on the first N training examples only")
                .option("init", Args.Kind.TEXT, "MODEL", null, "start from the weights of a saved model file (a new head when the class count differs)")
                .option("freeze", Args.Kind.TEXT, "PREFIXES", null, "comma-separated parameter-name prefixes (such as 0,3) to leave untrained")
                .option("lr-mult", Args.Kind.TEXT, "PREFIX=X", null, "learning-rate multiplier for parameters under PREFIX (repeatable, or comma-separated)")
                .repeatable("lr-mult")
                .option("checkpoint", Args.Kind.TEXT, "FILE", null, "write a checkpoint (model, optimizer, progress) to FILE after every epoch")
                .option("resume", Args.Kind.TEXT, "FILE", null, "continue the run of a checkpoint, with its options unless given here")
                .option("out", Args.Kind.TEXT, "FILE", "lenet5.fovea", "where to save the trained model")
                .option("clip-norm", Args.Kind.NUMBER, "X", null, "scale the gradients down when their total L2 norm exceeds X (PyTorch's clip_grad_norm_)")
                .option("clip-value", Args.Kind.NUMBER, "X", null, "clamp every gradient element to [-X, X] (PyTorch's clip_grad_value_)")
                .flag("detect-anomaly", "check every operation's output and gradient for NaN/Inf and stop at the first, naming the layer (slow)")
                .flag("memory", "also report memory allocated per step, peak heap and garbage collections")
                .flag("profile", "after training, print where the time went: each layer type's forward and each operation's backward")
                .flag("ui", "show training live in the browser (curves, pause, hyperparameters, the network's insides); see 'fovea serve'")
                .option("port", Args.Kind.INT, "N", "8080", "with --ui: port of the page (0: any free port)")
                .option("host", Args.Kind.TEXT, "H", "127.0.0.1", "with --ui: address of the page; another than 127.0.0.1 lets other machines in");
    }

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = args();
        if (a.parse(argv)) {
            out.print(a.help());
            return 0;
        }
        Checkpoint resume = null;
        if (a.given("resume")) {
            if (a.given("init")) throw new UsageException("--init and --resume do not go together: a resumed run continues from its checkpoint's weights");
            resume = Checkpoint.load(Path.of(a.text("resume")));
            a = mergeRecorded(a, argv, resume);
        }

        String modelName = a.text("model");
        if (!a.given("init") && resume == null && !Zoo.names().contains(modelName)) {
            throw new UsageException("unknown model '" + modelName + "'; available: " + String.join(", ", Zoo.names()));
        }
        if (a.given("init") && a.given("model")) throw new UsageException("--init takes the architecture from its model file; leave out --model");
        int epochs = a.integer("epochs", 1), batch = a.integer("batch", 1);
        long seed = a.integer("seed", 0);
        String optimizerName = a.text("optimizer");
        if (!List.of("sgd", "adam", "adamw", "rmsprop").contains(optimizerName)) {
            throw new UsageException("unknown optimizer '" + optimizerName + "'; available: " + OPTIMIZERS);
        }
        ScheduleChoice schedule = schedule(a, epochs);
        double labelSmoothing = a.number("label-smoothing", 0);
        if (labelSmoothing >= 1) throw new UsageException("option --label-smoothing: must be below 1, got " + labelSmoothing);
        Double valSplit = null;
        if (a.given("val-split")) {
            valSplit = a.number("val-split", 0);
            if (!(valSplit > 0 && valSplit < 1)) throw new UsageException("option --val-split: a fraction between 0 and 1 is needed, such as 0.1; got " + a.text("val-split"));
        }
        int patience = 0;
        if (a.given("early-stop")) {
            patience = a.integer("early-stop", 1);
            if (valSplit == null) throw new UsageException("--early-stop watches validation accuracy; add --val-split F (such as 0.1)");
        }
        List<String> freeze = a.given("freeze") ? list(a.text("freeze"), "freeze") : List.of();
        Map<String, Double> lrMult = a.given("lr-mult") ? lrMultipliers(a.text("lr-mult")) : Map.of();
        OptimizerChoice opt = optimizer(a, optimizerName);
        double clipNorm = a.given("clip-norm") ? a.number("clip-norm", 0) : 0, clipValue = a.given("clip-value") ? a.number("clip-value", 0) : 0;
        if (a.given("clip-norm") && clipNorm <= 0) throw new UsageException("option --clip-norm: must be above 0, got " + a.text("clip-norm"));
        if (a.given("clip-value") && clipValue <= 0) throw new UsageException("option --clip-value: must be above 0, got " + a.text("clip-value"));

        if (a.given("image-size") && !a.text("dataset").equals("folder")) throw new UsageException("option --image-size: only --dataset folder takes it");
        int imageSize = a.given("image-size") ? a.integer("image-size", 1) : 32;
        Datasets.Splits data = Datasets.open(a.text("dataset"), a.text("data-dir"), imageSize);
        Dataset train = data.train(), test = data.test();
        Dataset trainSet = a.given("limit") ? train.limit(Math.min(a.integer("limit", 1), train.size())) : train;
        Dataset valSet = null;
        if (valSplit != null) {
            ValidationSplit split;
            try {
                split = ValidationSplit.of(trainSet, valSplit);
            } catch (IllegalArgumentException e) {
                throw new UsageException("option --val-split: " + e.getMessage());
            }
            trainSet = split.train();
            valSet = split.validation();
        }
        if (a.given("augment")) {
            // Last, so that the loader's epoch reaches it; validation and test images are never augmented.
            try {
                trainSet = new TransformedDataset(trainSet, Transforms.parse(a.text("augment"), trainSet), seed);
            } catch (DataException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new UsageException("option --augment: " + e.getMessage());
            }
        }

        Rng.manualSeed(seed);
        int[] shape = train.sampleShape();
        Module model;
        List<String> notes = new ArrayList<>();
        if (resume != null) {
            model = resume.model();
            if (resume.metadata().get("model") instanceof String m) modelName = m;
        } else if (a.given("init")) {
            ModelFile.Loaded init = ModelFile.load(Path.of(a.text("init")));
            model = init.model();
            String file = Path.of(a.text("init")).getFileName().toString();
            modelName = init.metadata().get("model") instanceof String m ? m : file.replaceFirst("\\.fovea$", "");
            checkInputShape(init.metadata(), shape, a.text("init"));
            notes.add("Starting from the weights of " + a.text("init"));
            String head = fitHead(model, shape, train.numClasses());
            if (head != null) notes.add(head);
        } else {
            model = Zoo.create(modelName, shape[0], train.numClasses());
            if (!(train instanceof dev.fovea.data.ImageClassification)) {
                // The colour datasets come in other sizes than the models' own; say so plainly rather than mid-epoch.
                try {
                    model.predict(Tensor.zeros(1, shape[0], shape[1], shape[2]));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new UsageException("model " + modelName + " is built for " + Arrays.toString(Zoo.inputShape(modelName))
                            + " inputs and cannot take the dataset's " + Arrays.toString(shape) + " images (" + e.getMessage()
                            + "); pick another with --model, such as resnet20 or lenet5_classic for 32x32");
                }
            }
        }
        if (!freeze.isEmpty()) notes.add(freeze(model, freeze));
        // Without --out the model is saved as NAME.fovea (lenet5.fovea by default), never over the --init file.
        String outName = a.given("out") ? a.text("out") : modelName + ".fovea";
        if (!a.given("out") && a.given("init") && Path.of(outName).toAbsolutePath().normalize().equals(Path.of(a.text("init")).toAbsolutePath().normalize())) {
            outName = modelName + "-tuned.fovea";
        }

        List<ParamGroup> groups;
        try {
            groups = lrMult.isEmpty() ? ParamGroup.single(model.parameters()) : ParamGroup.byPrefix(model.namedParameters(), lrMult);
        } catch (IllegalArgumentException e) {
            throw new UsageException("option --lr-mult: " + e.getMessage());
        }
        if (!lrMult.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (ParamGroup g : groups) {
                long n = 0;
                for (Tensor p : g.params()) n += p.numel();
                parts.add(String.format("%s x%s (%,d)", g.name().isEmpty() ? "others" : g.name(), g.lrMultiplier(), n));
            }
            notes.add("Learning-rate multipliers: " + String.join(", ", parts));
        }
        Optimizer optimizer = opt.build(groups);

        String images = valSet == null
                ? String.format("%,d training and %,d test images", trainSet.size(), test.size())
                : String.format("%,d training, %,d validation and %,d test images", trainSet.size(), valSet.size(), test.size());
        String what = (optimizerName.equals("sgd") ? "" : optimizerName + ", ") + schedule.name + " schedule"
                + (schedule.warmup > 0 ? ", " + schedule.warmup + " warm-up epoch" + (schedule.warmup == 1 ? "" : "s") : "")
                + (labelSmoothing > 0 ? ", label smoothing " + labelSmoothing : "");
        out.printf("Training %s (%,d parameters) on %s: %s, %d epoch%s, batch %d, lr %s (%s)%n",
                modelName, model.parameterCount(), train.name().replace(" train", ""), images, epochs, epochs == 1 ? "" : "s", batch, opt.lr, what);
        for (String n : notes) out.println(n);

        Trainer trainer = new Trainer(model, optimizer, new CrossEntropyLoss(labelSmoothing)).output(out).schedule(schedule.schedule)
                .memoryReport(a.flag("memory")).validation(valSet).earlyStopping(patience).clipGradNorm(clipNorm).clipGradValue(clipValue);
        if (a.given("checkpoint")) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("model", modelName);
            meta.put("dataset", a.text("dataset"));
            meta.put("options", recordedOptions(a, opt, outName));
            trainer.checkpoint(Path.of(a.text("checkpoint")), meta);
        }
        if (resume != null) trainer.resume(resume);
        ServeCommand.Live live = a.flag("ui")
                ? ServeCommand.live(trainer, modelName, model, train.classNames(), shape, data.mean(), data.std(), test, epochs, a, out) : null;
        OpProfile.reset();
        OpProfile.enable(a.flag("profile"));
        Autograd.detectAnomaly(a.flag("detect-anomaly"));
        Trainer.Outcome outcome;
        try {
            outcome = trainer.run(trainSet, test, epochs, batch, seed);
        } catch (RuntimeException e) {
            if (live != null) live.afterTraining(e, out);
            throw e;
        } finally {
            OpProfile.enable(false);
            Autograd.detectAnomaly(false);
        }
        if (a.flag("profile")) out.print("Time by operation, training and test passes of all epochs:\n" + OpProfile.report());
        Trainer.EpochResult last = outcome.history().getLast();

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model", modelName);
        meta.put("dataset", a.text("dataset"));
        meta.put("classes", train.classNames());
        meta.put("inputShape", shape);
        meta.put("mean", data.mean());
        meta.put("std", data.std());
        meta.put("epochs", last.epoch());
        if (outcome.bestEpoch() > 0) {
            meta.put("bestEpoch", outcome.bestEpoch());
            meta.put("validationAccuracy", outcome.bestValidationAccuracy());
        }
        meta.put("testAccuracy", outcome.test().accuracy());
        Path path = Path.of(outName);
        ModelFile.save(path, model, meta);
        out.printf("Test accuracy %.2f%%. Saved the model to %s%n", 100 * outcome.test().accuracy(), path);
        if (live != null) live.afterTraining(null, out);
        return 0;
    }

    // ---------------------------------------------------------------- resume

    /** Parses again with the checkpoint's recorded options for every option not given now. */
    private static Args mergeRecorded(Args given, String[] argv, Checkpoint resume) {
        Map<String, String> recorded = new LinkedHashMap<>();
        if (resume.metadata().get("options") instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) if (e.getValue() instanceof String v) recorded.put(String.valueOf(e.getKey()), v);
        }
        Args probe = args();
        for (String k : SAME_RUN) {
            if (given.given(k) && recorded.containsKey(k) && !sameValue(given.text(k), recorded.get(k))) {
                throw new UsageException("option --" + k + ": the checkpoint's run used " + recorded.get(k) + "; a resumed run cannot change it");
            }
        }
        List<String> merged = new ArrayList<>();
        for (var e : recorded.entrySet()) {
            String k = e.getKey();
            if (given.given(k) || NOT_RECORDED.contains(k) || !probe.declares(k)) continue;
            if (probe.isFlag(k)) {
                if (e.getValue().equals("true")) merged.add("--" + k);
            } else {
                merged.add("--" + k + "=" + e.getValue());
            }
        }
        merged.addAll(Arrays.asList(argv));
        Args a = args();
        a.parse(merged.toArray(String[]::new));
        return a;
    }

    private static boolean sameValue(String a, String b) {
        if (a.equals(b)) return true;
        try {
            return Double.parseDouble(a) == Double.parseDouble(b);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The options of this run as a resumed run should see them: given ones and the effective defaults that matter. */
    private static Map<String, Object> recordedOptions(Args a, OptimizerChoice opt, String outName) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (String k : a.names()) {
            if (NOT_RECORDED.contains(k)) continue;
            String v = a.text(k);
            if (v != null) r.put(k, v);
        }
        r.put("lr", Double.toString(opt.lr));
        r.put("out", outName);
        return r;
    }

    // ---------------------------------------------------------------- choices

    private record OptimizerChoice(String name, double lr, double momentum, double weightDecay, double beta1, double beta2,
                                   boolean nesterov, boolean centered) {
        Optimizer build(List<ParamGroup> groups) {
            return switch (name) {
                case "sgd" -> SGD.grouped(groups, lr, momentum, 0, weightDecay, nesterov);
                case "adam" -> Adam.grouped(groups, lr, beta1, beta2, 1e-8, weightDecay, false);
                case "adamw" -> AdamW.grouped(groups, lr, beta1, beta2, 1e-8, weightDecay, false);
                case "rmsprop" -> RMSprop.grouped(groups, lr, 0.99, 1e-8, weightDecay, momentum, centered);
                default -> throw new IllegalStateException(name);
            };
        }
    }

    private static OptimizerChoice optimizer(Args a, String name) {
        boolean sgd = name.equals("sgd"), adam = name.startsWith("adam"), rms = name.equals("rmsprop");
        if (a.given("momentum") && adam) throw new UsageException("option --momentum: " + name + " has no momentum; its moment decay rates are --betas");
        if (a.given("betas") && !adam) throw new UsageException("option --betas: only adam and adamw have them, not " + name);
        if (a.flag("nesterov") && !sgd) throw new UsageException("option --nesterov: only sgd has Nesterov momentum, not " + name);
        if (a.flag("centered") && !rms) throw new UsageException("option --centered: only rmsprop can be centered, not " + name);
        double lr = a.given("lr") ? a.number("lr", 0) : sgd ? 0.03 : rms ? 0.01 : 0.001;
        double momentum = a.given("momentum") ? a.number("momentum", 0) : sgd ? 0.9 : 0;
        double wd = a.given("weight-decay") ? a.number("weight-decay", 0) : name.equals("adamw") ? 0.01 : 0.0005;
        if (a.flag("nesterov") && momentum <= 0) throw new UsageException("option --nesterov: needs momentum above 0");
        double b1 = 0.9, b2 = 0.999;
        if (a.given("betas")) {
            List<String> parts = list(a.text("betas"), "betas");
            if (parts.size() != 2) throw new UsageException("option --betas: expected two numbers such as 0.9,0.999, got '" + a.text("betas") + "'");
            b1 = fraction(parts.get(0), "betas");
            b2 = fraction(parts.get(1), "betas");
        }
        return new OptimizerChoice(name, lr, momentum, wd, b1, b2, a.flag("nesterov"), a.flag("centered"));
    }

    private static double fraction(String s, String option) {
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + option + ": expected a number, got '" + s + "'");
        }
        if (!(v >= 0 && v < 1)) throw new UsageException("option --" + option + ": each must be in [0, 1), got " + s);
        return v;
    }

    private record ScheduleChoice(String name, LearningRateSchedule schedule, int warmup) {}

    private static ScheduleChoice schedule(Args a, int epochs) {
        String name = a.text("schedule");
        if (!List.of("cosine", "constant", "step", "multistep", "exp", "onecycle").contains(name)) {
            throw new UsageException("option --schedule: unknown schedule '" + name + "'; available: " + SCHEDULES);
        }
        if (a.given("momentum") && name.equals("onecycle")) {
            throw new UsageException("option --momentum: --schedule onecycle sets the momentum itself, cycling it from 0.95 to 0.85 and back (as PyTorch's OneCycleLR)");
        }
        if (a.given("step-size") && !name.equals("step")) throw new UsageException("option --step-size: only the step schedule takes it (--schedule step)");
        if (a.given("milestones") && !name.equals("multistep")) throw new UsageException("option --milestones: only the multistep schedule takes them (--schedule multistep)");
        if (a.given("gamma") && !List.of("step", "multistep", "exp").contains(name)) {
            throw new UsageException("option --gamma: only the step, multistep and exp schedules take it");
        }
        double gamma = a.given("gamma") ? a.number("gamma", 0) : 0.1;
        if (a.given("gamma") && !(gamma > 0)) throw new UsageException("option --gamma: must be above 0, got " + a.text("gamma"));
        LearningRateSchedule s = switch (name) {
            case "cosine" -> LearningRateSchedule.COSINE;
            case "constant" -> LearningRateSchedule.CONSTANT;
            case "onecycle" -> LearningRateSchedule.oneCycle();
            case "step" -> {
                if (!a.given("step-size")) throw new UsageException("--schedule step needs --step-size N (epochs between drops)");
                yield LearningRateSchedule.step(a.integer("step-size", 1), gamma);
            }
            case "multistep" -> {
                if (!a.given("milestones")) throw new UsageException("--schedule multistep needs --milestones E1,E2,.. (epochs)");
                List<String> parts = list(a.text("milestones"), "milestones");
                int[] ms = new int[parts.size()];
                for (int i = 0; i < ms.length; i++) {
                    try {
                        ms[i] = Integer.parseInt(parts.get(i));
                    } catch (NumberFormatException e) {
                        throw new UsageException("option --milestones: expected whole numbers such as 5,8, got '" + a.text("milestones") + "'");
                    }
                    if (ms[i] < 1 || i > 0 && ms[i] <= ms[i - 1]) {
                        throw new UsageException("option --milestones: epochs must be positive and increasing, got '" + a.text("milestones") + "'");
                    }
                }
                yield LearningRateSchedule.multiStep(ms, gamma);
            }
            case "exp" -> {
                if (!a.given("gamma")) throw new UsageException("--schedule exp needs --gamma X (the factor per epoch, such as 0.9)");
                yield LearningRateSchedule.exponential(gamma);
            }
            default -> throw new IllegalStateException(name);
        };
        int warmup = a.integer("warmup", 0);
        if (warmup > epochs) throw new UsageException("option --warmup: " + warmup + " warm-up epochs is more than the " + epochs + " epochs of the run");
        return new ScheduleChoice(name, s.withWarmup(warmup), warmup);
    }

    private static List<String> list(String text, String option) {
        List<String> out = new ArrayList<>();
        for (String p : text.split(",", -1)) {
            String t = p.trim();
            if (t.isEmpty()) throw new UsageException("option --" + option + ": empty entry in '" + text + "'");
            out.add(t);
        }
        return out;
    }

    static Map<String, Double> lrMultipliers(String text) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String entry : list(text, "lr-mult")) {
            int eq = entry.lastIndexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) throw new UsageException("option --lr-mult: expected PREFIX=X such as 0=0.1, got '" + entry + "'");
            String prefix = entry.substring(0, eq).trim();
            double x;
            try {
                x = Double.parseDouble(entry.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new UsageException("option --lr-mult: '" + entry.substring(eq + 1) + "' is not a number (in '" + entry + "')");
            }
            if (!(x >= 0) || Double.isInfinite(x)) throw new UsageException("option --lr-mult: the multiplier must be a non-negative number, got '" + entry + "'");
            if (m.put(prefix, x) != null) throw new UsageException("option --lr-mult: prefix '" + prefix + "' given twice");
        }
        return m;
    }

    // ---------------------------------------------------------------- transfer learning

    private static void checkInputShape(Map<String, Object> metadata, int[] shape, String file) {
        if (!(metadata.get("inputShape") instanceof List<?> s)) return;
        List<Long> want = new ArrayList<>();
        for (int d : shape) want.add((long) d);
        if (!s.equals(want)) {
            throw new UsageException("--init " + file + ": the model takes inputs of shape " + s + ", the dataset's images are " + Arrays.toString(shape));
        }
    }

    /**
     * Makes the model output {@code classes} scores: when it gives another number, its last Linear layer is
     * replaced by a freshly initialised one (Xavier, as a final layer of a Sequential) of the right size. Returns a
     * note for the user, or null when nothing changed.
     */
    static String fitHead(Module model, int[] shape, int classes) {
        int[] batched = {1, shape[0], shape[1], shape[2]};
        int outputs = model.predict(Tensor.zeros(batched)).size(1);
        if (outputs == classes) return null;
        String path = null;
        Linear last = null;
        for (var e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof Linear l) {
                path = e.getKey();
                last = l;
            }
        }
        if (last == null || last.outFeatures() != outputs) {
            throw new UsageException("--init: the model gives " + outputs + " class scores, the dataset has " + classes
                    + " classes, and its last layer is not a Linear layer that could be replaced");
        }
        if (path.isEmpty()) throw new UsageException("--init: the model is a single Linear layer; nothing to keep");
        Linear head = new Linear(last.inFeatures(), classes, last.bias() != null);
        head.resetParameters(Init.XAVIER, 0);
        int dot = path.lastIndexOf('.');
        Module parent = dot < 0 ? model : model.namedModules().get(path.substring(0, dot));
        parent.replaceModule(path.substring(dot + 1), head);
        return String.format("Replaced the classifier %s (Linear %d -> %d) with a new Linear(%d, %d) for %d classes",
                path, last.inFeatures(), outputs, last.inFeatures(), classes, classes);
    }

    /** Stops the parameters under {@code prefixes} from training (requiresGrad false); returns a note. */
    static String freeze(Module model, List<String> prefixes) {
        Map<String, Tensor> named = model.namedParameters();
        long frozen = 0, total = 0;
        for (String prefix : prefixes) {
            boolean any = false;
            for (String name : named.keySet()) any |= ParamGroup.matches(name, prefix);
            if (!any) {
                throw new UsageException("option --freeze: '" + prefix + "' matches no parameter; parameters are named like "
                        + ParamGroup.examples(named.keySet()));
            }
        }
        for (var e : named.entrySet()) {
            total += e.getValue().numel();
            for (String prefix : prefixes) {
                if (ParamGroup.matches(e.getKey(), prefix)) {
                    e.getValue().requiresGrad(false);
                    frozen += e.getValue().numel();
                    break;
                }
            }
        }
        if (frozen == total) throw new UsageException("option --freeze: it leaves no parameter to train");
        return String.format("Frozen: %,d of %,d parameters (%s)", frozen, total, String.join(", ", prefixes));
    }
}
