package dev.fovea.models;

import dev.fovea.io.Architecture;
import dev.fovea.io.LayerProvider;
import dev.fovea.nn.Module;

import java.util.Map;
import java.util.function.Function;

/**
 * Makes the zoo's own module types loadable from model files (listed in
 * {@code META-INF/services/dev.fovea.io.LayerProvider}). Each is rebuilt from its config alone.
 */
public final class ModelsLayerProvider implements LayerProvider {
    @Override
    public Map<String, Function<Architecture.Config, Module>> layers() {
        return Map.ofEntries(
                Map.entry("CifarResNet", c -> new CifarResNet(c.getInt("depth"), c.getInt("inChannels"), c.getInt("classes"))),
                Map.entry("BasicBlock", c -> new BasicBlock(c.getInt("in"), c.getInt("out"), c.getInt("stride"))),
                Map.entry("ZeroPadShortcut", c -> new ZeroPadShortcut(c.getInt("in"), c.getInt("out"), c.getInt("stride"))),
                Map.entry("LeNet5Classic", c -> new LeNet5Classic(c.getInt("inChannels"), c.getInt("classes"))),
                Map.entry("LeNetC3", c -> new LeNetC3()),
                Map.entry("AlexNet", c -> new AlexNet(c.getInt("inChannels"), c.getInt("classes"))),
                Map.entry("OriginalAlexNet", c -> new OriginalAlexNet(c.getInt("inChannels"), c.getInt("classes"))),
                Map.entry("VGG", c -> new VGG(c.getInt("depth"), c.getBool("batchNorm"), c.getInt("inChannels"), c.getInt("classes"))),
                Map.entry("BasicConv2d", c -> new BasicConv2d(c.getInt("in"), c.getInt("out"), c.getInts("kernel"), c.getInts("stride"),
                        c.getInts("padding"), c.getDouble("eps"))),
                Map.entry("Inception", c -> new Inception(c.getInt("in"), c.getInt("ch1x1"), c.getInt("ch3x3red"), c.getInt("ch3x3"),
                        c.getInt("ch5x5red"), c.getInt("ch5x5"), c.getInt("poolProj"))),
                Map.entry("InceptionAux", c -> new InceptionAux(c.getInt("in"), c.getInt("classes"))),
                Map.entry("GoogLeNet", c -> new GoogLeNet(c.getInt("inChannels"), c.getInt("classes"), c.getBool("auxLogits"))),
                Map.entry("InceptionC", c -> new InceptionC(c.getInt("in"), c.getInt("c7"), c.getInt("out"))),
                Map.entry("InceptionV3Mini", c -> new InceptionV3Mini(c.getInt("inChannels"), c.getInt("classes"))),
                Map.entry("ResNet", c -> new ResNet(c.getInt("depth"), c.getInt("inChannels"), c.getInt("classes"))),
                Map.entry("ResNetBasicBlock", c -> new ResNetBasicBlock(c.getInt("in"), c.getInt("out"), c.getInt("stride"))),
                Map.entry("Bottleneck", c -> new Bottleneck(c.getInt("in"), c.getInt("planes"), c.getInt("stride"))),
                Map.entry("DenseNet", c -> new DenseNet(c.getInt("growth"), c.getInts("blocks"), c.getInt("initFeatures"), c.getInt("bnSize"),
                        c.getDouble("compression"), c.getBool("smallInputs"), c.getInt("inChannels"), c.getInt("classes"))),
                Map.entry("DenseBlock", c -> new DenseBlock(c.getInt("layers"), c.getInt("in"), c.getInt("growth"), c.getInt("bnSize"))),
                Map.entry("DenseLayer", c -> new DenseLayer(c.getInt("in"), c.getInt("growth"), c.getInt("bnSize"))),
                Map.entry("Transition", c -> new Transition(c.getInt("in"), c.getInt("out"))),
                Map.entry("MobileNetV2", c -> new MobileNetV2(c.getDouble("width"), c.getInt("inChannels"), c.getInt("classes"))),
                Map.entry("InvertedResidual", c -> new InvertedResidual(c.getInt("in"), c.getInt("out"), c.getInt("stride"), c.getInt("expandRatio"))),
                Map.entry("ReLU6", c -> new ReLU6()),
                Map.entry("NetworkInNetwork", c -> new NetworkInNetwork(c.getInt("inChannels"), c.getInt("classes"))));
    }
}
