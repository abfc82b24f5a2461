package dev.fovea.bench;

import dev.fovea.kernels.Arena;
import dev.fovea.models.Zoo;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Module;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;

/** The Fovea side: models from the zoo, trained as {@code dev.fovea.train.Trainer} does, one step at a time. */
public final class FoveaBackend implements Backend {

    @Override
    public String name() {
        return "Fovea";
    }

    @Override
    public String description() {
        return "Fovea (pure Java, Vector API " + VectorInfo.describe() + "), " + threadsDescription();
    }

    /**
     * How many threads Fovea's kernels use. Fovea reads {@code fovea.threads} once, when its thread pool starts;
     * where that pool does not exist (older builds) everything runs on the calling thread.
     */
    public static int threads() {
        try {
            return (int) Class.forName("dev.fovea.kernels.Parallel").getMethod("threads").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return 1;
        }
    }

    public static String threadsDescription() {
        int t = threads();
        boolean pool;
        try {
            Class.forName("dev.fovea.kernels.Parallel");
            pool = true;
        } catch (ClassNotFoundException e) {
            pool = false;
        }
        if (!pool) return "1 thread (Fovea's kernels are single-threaded)";
        return t + (t == 1 ? " thread" : " threads") + " (-Dfovea.threads; convolutions split the batch over them, the rest runs on one)";
    }

    @Override
    public Task create(Workload w, Synthetic data) {
        Rng.manualSeed(42);
        Module model;
        try {
            model = Zoo.create(w.model(), w.channels(), Workload.CLASSES);
        } catch (IllegalArgumentException e) {
            throw new Unavailable("Fovea has no model '" + w.model() + "' yet (" + e.getMessage() + ")");
        }
        Tensor[] images = new Tensor[data.batches()];
        for (int b = 0; b < images.length; b++) images[b] = Tensor.of(data.images(b), w.inputShape());
        if (!w.training()) {
            model.eval();
            return batch -> {
                float[] out = model.predict(images[batch % images.length]).toFloatArray();
                return out.length == 0 ? 0 : Double.NaN;
            };
        }
        model.train();
        SGD sgd = new SGD(model.parameters(), Workload.LR, Workload.MOMENTUM, 0, false);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        Arena arena = new Arena(); // as Trainer does: each step's activations reuse the previous step's arrays
        return batch -> {
            double value;
            try (Arena.Scope scope = arena.open()) {
                Tensor logits = model.call(images[batch % images.length]);
                Tensor l = loss.forward(logits, data.labels(batch));
                value = l.item();
                sgd.zeroGrad();
                l.backward();
            }
            sgd.step();
            return value;
        };
    }
}
