package dev.fovea.bench;

import java.util.List;

/**
 * One workload of the comparison with PyTorch: a model, a batch size and whether it trains or infers.
 *
 * @param name         the name used by {@code --workloads}
 * @param model        {@code lenet5} or {@code resnet20}
 * @param channels     input channels
 * @param size         input height and width
 * @param batch        images per step
 * @param training     a training step (forward, loss, backward, SGD with momentum) rather than inference
 * @param latency      time each call and report the median milliseconds per image rather than images per second
 * @param description  what the table row says about it
 */
public record Workload(String name, String model, int channels, int size, int batch, boolean training, boolean latency, String description) {
    public static final int CLASSES = 10;
    public static final double LR = 0.01, MOMENTUM = 0.9;

    public static final Workload LENET_TRAIN = new Workload("lenet-train", "lenet5", 1, 28, 64, true, false,
            "LeNet-5 training, 1x28x28, batch 64, SGD lr 0.01 momentum 0.9");
    public static final Workload LENET_INFER = new Workload("lenet-infer", "lenet5", 1, 28, 256, false, false,
            "LeNet-5 inference, batch 256");
    public static final Workload LENET_LATENCY = new Workload("lenet-latency", "lenet5", 1, 28, 1, false, true,
            "LeNet-5 inference, batch 1 (median latency)");
    public static final Workload RESNET20_TRAIN = new Workload("resnet20-train", "resnet20", 3, 32, 128, true, false,
            "ResNet-20 training, 3x32x32, batch 128, SGD lr 0.01 momentum 0.9");

    public static final List<Workload> ALL = List.of(LENET_TRAIN, LENET_INFER, LENET_LATENCY, RESNET20_TRAIN);
    public static final List<String> NAMES = ALL.stream().map(Workload::name).toList();

    public static Workload named(String name) {
        for (Workload w : ALL) if (w.name.equals(name)) return w;
        throw new IllegalArgumentException("unknown workload '" + name + "'");
    }

    public int[] inputShape() {
        return new int[] {batch, channels, size, size};
    }
}
