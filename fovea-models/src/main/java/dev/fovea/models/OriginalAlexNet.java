package dev.fovea.models;

import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Linear;
import dev.fovea.nn.LocalResponseNorm;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Sequential;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AlexNet as published (Krizhevsky, Sutskever, Hinton, "ImageNet Classification with Deep Convolutional Neural
 * Networks", 2012), for 227x227 images: two towers, one per GPU, expressed as grouped convolutions (groups = 2)
 * wherever a layer reads only its own tower's maps.
 * <pre>
 *   conv1 96@11x11 /4 (48 per tower, both read the whole image) -> ReLU -> LRN -> max 3x3/2   227 -> 55 -> 27
 *   conv2 256@5x5 pad 2, groups 2 (each tower reads its 48 maps) -> ReLU -> LRN -> max 3x3/2    27 -> 13
 *   conv3 384@3x3 pad 1 (the towers exchange: every filter reads all 256 maps) -> ReLU               13
 *   conv4 384@3x3 pad 1, groups 2 -> ReLU;   conv5 256@3x3 pad 1, groups 2 -> ReLU -> max 3x3/2     13 -> 6
 *   fc6 9216 -> 4096 -> ReLU -> dropout;   fc7 4096 -> 4096 -> ReLU -> dropout;   fc8 4096 -> classes
 * </pre>
 * Local response normalisation is {@code LocalResponseNorm(5, 1e-4, 0.75, 2)} (the paper's n, alpha, beta, k;
 * note that PyTorch's and Caffe's convention, followed here, divides alpha by n). Pooling windows overlap (3x3,
 * stride 2), as the paper stresses. Dropout follows fc6 and fc7, as in the paper and Caffe's reference model
 * (torchvision puts it before them).
 *
 * <p>With 3 input channels and 1000 classes the model has 60,965,224 parameters (34,944 + 307,456 + 885,120 +
 * 663,936 + 442,624 in the convolutions, 37,752,832 + 16,781,312 + 4,097,000 in fc6-8), the count of Caffe's
 * {@code bvlc_alexnet}, and needs 724,406,816 multiply-adds per 227x227 image (0.72 G: the groups halve conv2,
 * conv4 and conv5, while conv1's 96 filters and conv3's full connection add about as much).
 * Like the paper, there is no adaptive pooling: fc6 takes 6x6 maps, which inputs of 227x227 up to 258x258 give
 * (the paper's "224x224" is one of its well-known slips). Layers are He-initialised, the last Xavier (the paper
 * drew from N(0, 0.01) and set some biases to 1).
 * Names are those of a torchvision-style {@code features} / {@code classifier} pair.
 */
public final class OriginalAlexNet extends Module {
    /** The range of input sizes for which fc6 sees 6x6 maps. */
    public static final int MIN_INPUT_SIZE = 227, MAX_INPUT_SIZE = 258;

    private final int inChannels, classes;
    private final Sequential features, classifier;

    public OriginalAlexNet(int inChannels, int classes) {
        Inputs.positive("AlexNet (original)", inChannels, classes);
        this.inChannels = inChannels;
        this.classes = classes;
        features = registerModule("features", new Sequential(
                new Conv2d(inChannels, 96, 11, 4, 0), new ReLU(), new LocalResponseNorm(5, 1e-4, 0.75, 2), new MaxPool2d(3, 2),
                new Conv2d(96, 256, 5, 1, 2, 1, 2, true), new ReLU(), new LocalResponseNorm(5, 1e-4, 0.75, 2), new MaxPool2d(3, 2),
                new Conv2d(256, 384, 3, 1, 1), new ReLU(),
                new Conv2d(384, 384, 3, 1, 1, 1, 2, true), new ReLU(),
                new Conv2d(384, 256, 3, 1, 1, 1, 2, true), new ReLU(), new MaxPool2d(3, 2)));
        classifier = registerModule("classifier", new Sequential(
                new Linear(256 * 6 * 6, 4096), new ReLU(), new Dropout(0.5),
                new Linear(4096, 4096), new ReLU(), new Dropout(0.5),
                new Linear(4096, classes)));
    }

    public static OriginalAlexNet create(int inChannels, int classes) {
        return new OriginalAlexNet(inChannels, classes);
    }

    @Override
    public Tensor forward(Tensor x) {
        Inputs.checkRange("AlexNet (original)", x, inChannels, MIN_INPUT_SIZE, MAX_INPUT_SIZE, "fc6 takes the 6x6 maps of 227x227 images");
        return classifier.call(features.call(x).flatten(1));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("inChannels", inChannels);
        c.put("classes", classes);
        return c;
    }
}
