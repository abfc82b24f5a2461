package dev.fovea.models;

import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.GlobalAvgPool2d;
import dev.fovea.nn.Linear;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.AuxiliaryOutputs;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GoogLeNet (Inception v1; Szegedy et al., "Going Deeper with Convolutions", 2014) in torchvision's layout, which
 * adds batch norm to every convolution ({@link BasicConv2d}) and, like torchvision, uses 3x3 kernels in the
 * "5x5" branches (see {@link Inception}).
 * <pre>
 *   conv1 7x7/2, 64 -> max 3x3/2 -> conv2 1x1, 64 -> conv3 3x3, 192 -> max 3x3/2         224 -> 112 -> 56 -> 28
 *   inception3a (256) -> 3b (480) -> max 3x3/2                                            28 -> 14
 *   inception4a (512) -> 4b (512) -> 4c (512) -> 4d (528) -> 4e (832) -> max 2x2/2         14 -> 7
 *   inception5a (832) -> 5b (1024) -> global average pooling -> dropout 0.2 -> fc 1024 -> classes
 * </pre>
 * Max poolings round up (ceil mode), as in torchvision. With 3 channels and 1000 classes: 6,624,904 parameters
 * and 1.50 G multiply-adds per 224x224 image; with the two auxiliary classifiers ({@link InceptionAux} on the
 * outputs of 4a and 4d) 13,004,888 parameters. Names match torchvision's state dict.
 *
 * <p>The auxiliary classifiers only train: {@link #forward(Tensor)} returns the main classifier's scores and never
 * runs them, so a plain training loop leaves their weights untouched. To train with them as the paper does, use
 * {@link #forwardWithAux(Tensor)} or {@link #loss(Tensor, int[])}: main loss + 0.3 x each auxiliary loss.
 *
 * <p>Built for 224x224; takes inputs of at least {@value #MIN_INPUT_SIZE}x{@value #MIN_INPUT_SIZE} (1x1 maps in
 * the last stages). Convolutions are He-initialised (torchvision draws from a truncated normal of std 0.01;
 * batch norm makes the scale immaterial).
 */
public final class GoogLeNet extends Module implements AuxiliaryOutputs {
    /** The smallest height and width accepted, as in torchvision. */
    public static final int MIN_INPUT_SIZE = 15;

    /** The weight of each auxiliary loss in {@link #loss(Tensor, int[])}, from the paper. */
    public static final double AUX_WEIGHT = 0.3;

    /** The main scores and, when computed, the two auxiliary classifiers' (null otherwise). */
    public record Outputs(Tensor logits, Tensor aux1, Tensor aux2) {}

    private final int inChannels, classes;
    private final boolean auxLogits;
    private final BasicConv2d conv1, conv2, conv3;
    private final MaxPool2d maxpool1, maxpool2, maxpool3, maxpool4;
    private final Inception inception3a, inception3b, inception4a, inception4b, inception4c, inception4d, inception4e, inception5a, inception5b;
    private final InceptionAux aux1, aux2;
    private final GlobalAvgPool2d avgpool;
    private final Dropout dropout;
    private final Linear fc;

    public GoogLeNet(int inChannels, int classes, boolean auxLogits) {
        Inputs.positive("GoogLeNet", inChannels, classes);
        this.inChannels = inChannels;
        this.classes = classes;
        this.auxLogits = auxLogits;
        conv1 = registerModule("conv1", new BasicConv2d(inChannels, 64, 7, 2, 3));
        maxpool1 = registerModule("maxpool1", new MaxPool2d(3, 2, 0, true));
        conv2 = registerModule("conv2", new BasicConv2d(64, 64, 1, 1, 0));
        conv3 = registerModule("conv3", new BasicConv2d(64, 192, 3, 1, 1));
        maxpool2 = registerModule("maxpool2", new MaxPool2d(3, 2, 0, true));
        inception3a = registerModule("inception3a", new Inception(192, 64, 96, 128, 16, 32, 32));
        inception3b = registerModule("inception3b", new Inception(256, 128, 128, 192, 32, 96, 64));
        maxpool3 = registerModule("maxpool3", new MaxPool2d(3, 2, 0, true));
        inception4a = registerModule("inception4a", new Inception(480, 192, 96, 208, 16, 48, 64));
        inception4b = registerModule("inception4b", new Inception(512, 160, 112, 224, 24, 64, 64));
        inception4c = registerModule("inception4c", new Inception(512, 128, 128, 256, 24, 64, 64));
        inception4d = registerModule("inception4d", new Inception(512, 112, 144, 288, 32, 64, 64));
        inception4e = registerModule("inception4e", new Inception(528, 256, 160, 320, 32, 128, 128));
        maxpool4 = registerModule("maxpool4", new MaxPool2d(2, 2, 0, true));
        inception5a = registerModule("inception5a", new Inception(832, 256, 160, 320, 32, 128, 128));
        inception5b = registerModule("inception5b", new Inception(832, 384, 192, 384, 48, 128, 128));
        aux1 = auxLogits ? registerModule("aux1", new InceptionAux(512, classes)) : null;
        aux2 = auxLogits ? registerModule("aux2", new InceptionAux(528, classes)) : null;
        avgpool = registerModule("avgpool", new GlobalAvgPool2d());
        dropout = registerModule("dropout", new Dropout(0.2));
        fc = registerModule("fc", new Linear(1024, classes));
    }

    public static GoogLeNet create(int inChannels, int classes) {
        return new GoogLeNet(inChannels, classes, false);
    }

    public static GoogLeNet withAux(int inChannels, int classes) {
        return new GoogLeNet(inChannels, classes, true);
    }

    public boolean hasAux() {
        return auxLogits;
    }

    @Override
    public Tensor forward(Tensor x) {
        return run(x, false).logits;
    }

    /** The main scores, and in training mode with auxiliary classifiers also theirs. */
    public Outputs forwardWithAux(Tensor x) {
        return run(x, auxLogits && isTraining());
    }

    @Override
    public AuxiliaryOutputs.Outputs forwardTraining(Tensor x) {
        Outputs o = forwardWithAux(x);
        return new AuxiliaryOutputs.Outputs(o.logits, o.aux1 == null ? List.of() : List.of(o.aux1, o.aux2), AUX_WEIGHT);
    }

    /**
     * Cross-entropy of the main classifier, plus {@value #AUX_WEIGHT} times each auxiliary classifier's in training
     * mode (the paper's weighting); the main loss alone otherwise.
     */
    public Tensor loss(Tensor x, int[] targets) {
        CrossEntropyLoss ce = new CrossEntropyLoss();
        Outputs o = forwardWithAux(x);
        Tensor loss = ce.forward(o.logits, targets);
        if (o.aux1 != null) loss = loss.add(ce.forward(o.aux1, targets).add(ce.forward(o.aux2, targets)).mul(AUX_WEIGHT));
        return loss;
    }

    private Outputs run(Tensor x, boolean withAux) {
        Inputs.check("GoogLeNet", x, inChannels, MIN_INPUT_SIZE, "224x224");
        x = maxpool1.call(conv1.call(x));
        x = maxpool2.call(conv3.call(conv2.call(x)));
        x = maxpool3.call(inception3b.call(inception3a.call(x)));
        x = inception4a.call(x);
        Tensor a1 = withAux ? aux1.call(x) : null;
        x = inception4d.call(inception4c.call(inception4b.call(x)));
        Tensor a2 = withAux ? aux2.call(x) : null;
        x = maxpool4.call(inception4e.call(x));
        x = inception5b.call(inception5a.call(x));
        x = dropout.call(avgpool.call(x).flatten(1));
        return new Outputs(fc.call(x), a1, a2);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("inChannels", inChannels);
        c.put("classes", classes);
        c.put("auxLogits", auxLogits);
        return c;
    }
}
