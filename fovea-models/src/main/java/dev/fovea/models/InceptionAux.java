package dev.fovea.models;

import dev.fovea.nn.Dropout;
import dev.fovea.nn.Linear;
import dev.fovea.nn.Module;
import dev.fovea.tensor.AdaptivePooling;
import dev.fovea.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GoogLeNet's auxiliary classifier, as torchvision builds it: adaptive average pooling to 4x4 (the paper's 5x5
 * stride-3 pooling of 14x14 maps), a 1x1 {@link BasicConv2d} to 128 channels, {@code fc1} 2048 -> 1024 with ReLU,
 * dropout 0.7 and {@code fc2} 1024 -> classes. 3,188,968 parameters on inception4a (512 channels) and 3,191,016
 * on inception4d (528) for 1000 classes.
 */
public final class InceptionAux extends Module {
    private final int in, classes;
    private final BasicConv2d conv;
    private final Linear fc1, fc2;
    private final Dropout dropout;

    public InceptionAux(int in, int classes) {
        this.in = in;
        this.classes = classes;
        conv = registerModule("conv", new BasicConv2d(in, 128, 1, 1, 0));
        fc1 = registerModule("fc1", new Linear(2048, 1024));
        fc2 = registerModule("fc2", new Linear(1024, classes));
        dropout = registerModule("dropout", new Dropout(0.7));
    }

    @Override
    public Tensor forward(Tensor x) {
        x = AdaptivePooling.adaptiveAvgPool2d(x, 4, 4);
        x = conv.call(x).flatten(1);
        x = dropout.call(fc1.call(x).relu());
        return fc2.call(x);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("in", in);
        c.put("classes", classes);
        return c;
    }
}
