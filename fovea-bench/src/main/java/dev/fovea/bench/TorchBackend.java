package dev.fovea.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import java.util.List;

/**
 * The PyTorch side: the same architectures built from DJL's blocks and run by PyTorch's CPU build (libtorch 2.5.1
 * from the {@code pytorch-native-cpu} jar, DJL's JNI glue from {@code pytorch-jni}), trained with DJL's
 * {@link Trainer}, a {@link GradientCollector} and {@code Optimizer.sgd()} with momentum.
 *
 * <p>{@link #configure(int)} must run before anything touches DJL: it keeps DJL offline (no library download,
 * no telemetry call) and fixes PyTorch's thread count, which libtorch reads once when the engine starts.
 */
public final class TorchBackend implements Backend {
    private final Engine engine;
    private final NDManager manager;

    /** Sets the system properties DJL reads when it starts; harmless to call more than once with the same count. */
    public static void configure(int threads) {
        System.setProperty("ai.djl.offline", "true");           // never download libtorch or the JNI library
        System.setProperty("OPT_OUT_TRACKING", "true");         // no telemetry request (DJL would call home once a day)
        System.setProperty("PYTORCH_FLAVOR", "cpu");            // the CPU build that pytorch-native-cpu carries
        System.setProperty("ai.djl.default_engine", "PyTorch");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));     // intra-op (at::set_num_threads)
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");                   // no inter-op parallelism to hide
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");                  // TorchScript only; keeps startup quiet
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // DJL probes for CUDA even when asked for the CPU, and warns when a CUDA runtime without a driver answers.
        if (System.getProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        }
    }

    public TorchBackend(int threads) {
        configure(threads);
        engine = Engine.getEngine("PyTorch");
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    /** PyTorch's intra-op thread count as libtorch reports it. */
    public int threads() {
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    public String version() {
        return engine.getVersion();
    }

    @Override
    public String name() {
        return "PyTorch";
    }

    @Override
    public String description() {
        int t = threads();
        return "PyTorch " + engine.getVersion() + " CPU build through DJL " + Engine.getDjlVersion() + ", " + t + (t == 1 ? " intra-op thread" : " intra-op threads");
    }

    @Override
    public Task create(Workload w, Synthetic data) {
        Block block = switch (w.model()) {
            case "lenet5" -> lenet5();
            case "resnet20" -> resnet20();
            default -> throw new Unavailable("no DJL definition of " + w.model());
        };
        engine.setRandomSeed(42);
        return w.training() ? new TrainTask(w, block, data) : new InferTask(w, block, data);
    }

    @Override
    public void close() {
        manager.close();
    }

    private final class TrainTask implements Task {
        final Model model;
        final Trainer trainer;
        final Loss loss = Loss.softmaxCrossEntropyLoss();
        final NDArray[] images, labels;

        TrainTask(Workload w, Block block, Synthetic data) {
            model = Model.newInstance(w.model(), Device.cpu(), "PyTorch");
            model.setBlock(block);
            Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed((float) Workload.LR)).optMomentum((float) Workload.MOMENTUM).build();
            trainer = model.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(sgd).optDevices(new Device[] {Device.cpu()}));
            trainer.initialize(shape(w.inputShape()));
            images = new NDArray[data.batches()];
            labels = new NDArray[data.batches()];
            NDManager m = trainer.getManager();
            for (int b = 0; b < images.length; b++) {
                images[b] = m.create(data.images(b), shape(w.inputShape()));
                long[] l = new long[w.batch()];
                int[] src = data.labels(b);
                for (int i = 0; i < l.length; i++) l[i] = src[i];
                labels[b] = m.create(l);
            }
        }

        @Override
        public double step(int batch) {
            NDArray x = images[batch % images.length], y = labels[batch % labels.length];
            // Everything the step creates (activations, loss, gradient wrappers) hangs off the inputs' manager:
            // attach the inputs to a per-step manager so that closing it frees the step's memory.
            try (NDManager step = trainer.getManager().newSubManager()) {
                x.tempAttach(step);
                y.tempAttach(step);
                float value;
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDList pred = trainer.forward(new NDList(x));
                    NDArray l = loss.evaluate(new NDList(y), pred);
                    value = l.getFloat();
                    gc.backward(l);
                }
                trainer.step(); // SGD with momentum; DJL's PyTorch engine zeroes each gradient after its update
                return value;
            }
        }

        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }

    private final class InferTask implements Task {
        final Model model;
        final Block block;
        final ParameterStore store;
        final NDArray[] images;

        InferTask(Workload w, Block block, Synthetic data) {
            this.block = block;
            model = Model.newInstance(w.model(), Device.cpu(), "PyTorch");
            model.setBlock(block);
            block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
            block.initialize(model.getNDManager(), DataType.FLOAT32, shape(w.inputShape()));
            store = new ParameterStore(model.getNDManager(), false);
            images = new NDArray[data.batches()];
            for (int b = 0; b < images.length; b++) images[b] = model.getNDManager().create(data.images(b), shape(w.inputShape()));
        }

        @Override
        public double step(int batch) {
            NDArray x = images[batch % images.length];
            try (NDManager step = model.getNDManager().newSubManager()) {
                x.tempAttach(step);
                // No GradientCollector is open, so DJL has switched autograd off: nothing is recorded.
                NDArray out = block.forward(store, new NDList(x), false).singletonOrThrow();
                float[] logits = out.toFloatArray(); // read the result back, as Fovea's side does
                return logits.length == 0 ? 0 : Double.NaN;
            }
        }

        @Override
        public void close() {
            model.close();
        }
    }

    static Shape shape(int[] dims) {
        long[] s = new long[dims.length];
        for (int i = 0; i < s.length; i++) s[i] = dims[i];
        return new Shape(s);
    }

    // ---------------------------------------------------------------- the architectures, as Fovea defines them

    /** LeNet-5 as {@code dev.fovea.models.LeNet5}: conv 6@5x5 pad 2, ReLU, max 2x2, conv 16@5x5, ReLU, max 2x2, 120, 84, 10. */
    static Block lenet5() {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(6).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(16).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(120).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(84).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(Workload.CLASSES).build());
    }

    /**
     * ResNet-20 for CIFAR as {@code dev.fovea.models.CifarResNet}: conv 3x3 16 (no bias), BN, ReLU; three stages of
     * three basic blocks (16, 32, 64 channels, the first block of stages 2 and 3 with stride 2); global average
     * pooling; Linear(64, 10). Shortcuts are the paper's option A: subsample and zero-pad the new channels.
     */
    static Block resnet20() {
        SequentialBlock net = new SequentialBlock()
                .add(conv3x3(16, 1))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock());
        int in = 16;
        for (int[] stage : new int[][] {{16, 1}, {32, 2}, {64, 2}}) {
            for (int i = 0; i < 3; i++) {
                net.add(basicBlock(in, stage[0], i == 0 ? stage[1] : 1));
                in = stage[0];
            }
        }
        return net.add(Pool.globalAvgPool2dBlock())
                .add(Linear.builder().setUnits(Workload.CLASSES).build());
    }

    private static Block conv3x3(int out, int stride) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(stride, stride)).optPadding(new Shape(1, 1))
                .setFilters(out).optBias(false).build();
    }

    private static Block basicBlock(int in, int out, int stride) {
        Block main = new SequentialBlock()
                .add(conv3x3(out, stride))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv3x3(out, 1))
                .add(BatchNorm.builder().build());
        Block shortcut = stride == 1 && in == out
                ? new LambdaBlock(x -> x, "identity")
                : new LambdaBlock(x -> new NDList(zeroPadShortcut(x.singletonOrThrow(), in, out, stride)), "zero-pad shortcut");
        return new ParallelBlock(
                branches -> new NDList(Activation.relu(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow()))),
                List.of(main, shortcut));
    }

    /** Every stride-th pixel, with (out - in) zero channels split before and after, as Fovea's ZeroPadShortcut. */
    static NDArray zeroPadShortcut(NDArray x, int in, int out, int stride) {
        NDArray s = stride == 1 ? x : x.get(":, :, ::" + stride + ", ::" + stride);
        int before = (out - in) / 2, after = out - in - before;
        Shape sh = s.getShape();
        NDManager m = s.getManager();
        NDList parts = new NDList();
        if (before > 0) parts.add(m.zeros(new Shape(sh.get(0), before, sh.get(2), sh.get(3))));
        parts.add(s);
        if (after > 0) parts.add(m.zeros(new Shape(sh.get(0), after, sh.get(2), sh.get(3))));
        return parts.size() == 1 ? s : NDArrays.concat(parts, 1);
    }
}
