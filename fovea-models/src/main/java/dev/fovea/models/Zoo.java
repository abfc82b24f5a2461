package dev.fovea.models;

import dev.fovea.nn.Module;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The models available by name, for the command line and for code that picks a model from configuration. */
public final class Zoo {
    private Zoo() {}

    /** Builds a model for inputs of {@code inChannels} channels and {@code classes} output classes. */
    @FunctionalInterface
    public interface Factory {
        Module create(int inChannels, int classes);
    }

    private record Entry(Factory factory, int[] inputShape, String description) {}

    private static final Map<String, Entry> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("lenet5", new Entry(LeNet5::create, new int[] {1, 28, 28}, "LeNet-5 with ReLU and max pooling (28x28 inputs)"));
        MODELS.put("smallcnn", new Entry(SmallCnn::create, new int[] {1, 28, 28}, "small VGG-style CNN: three conv-BN-ReLU-pool stages of 32, 64 and 128 channels, dropout, two dense layers (28x28 inputs): 0.39 M params, 7.7 M mult-adds"));
        MODELS.put("resnet20", new Entry(CifarResNet::resnet20, new int[] {3, 32, 32}, "ResNet-20 for CIFAR (He et al. 2015, 32x32 inputs): 0.27 M params, 41 M mult-adds"));
        MODELS.put("resnet32", new Entry(CifarResNet::resnet32, new int[] {3, 32, 32}, "ResNet-32 for CIFAR (He et al. 2015, 32x32 inputs): 0.46 M params, 69 M mult-adds"));
        MODELS.put("resnet44", new Entry(CifarResNet::resnet44, new int[] {3, 32, 32}, "ResNet-44 for CIFAR (He et al. 2015, 32x32 inputs): 0.66 M params, 97 M mult-adds"));
        MODELS.put("resnet56", new Entry(CifarResNet::resnet56, new int[] {3, 32, 32}, "ResNet-56 for CIFAR (He et al. 2015, 32x32 inputs): 0.85 M params, 125 M mult-adds"));
        MODELS.put("resnet110", new Entry(CifarResNet::resnet110, new int[] {3, 32, 32}, "ResNet-110 for CIFAR (He et al. 2015, 32x32 inputs): 1.7 M params, 253 M mult-adds"));
        MODELS.put("lenet5_classic", new Entry(LeNet5Classic::create, new int[] {1, 32, 32}, "LeNet-5 as published (LeCun et al. 1998: tanh, average pooling, C3 connection table; 32x32 inputs): 61 K params, 0.33 M mult-adds"));
        MODELS.put("nin", new Entry(NetworkInNetwork::create, new int[] {3, 32, 32}, "Network in Network for CIFAR (Lin et al. 2013, 1x1 convolutions, global average pooling head; 32x32 inputs): 0.97 M params, 222 M mult-adds"));
        MODELS.put("densenet_bc_100", new Entry(DenseNet::densenetBC100, new int[] {3, 32, 32}, "DenseNet-BC-100, growth 12, for CIFAR (Huang et al. 2016, 32x32 inputs): 0.77 M params, 288 M mult-adds"));
        MODELS.put("inception_v3_mini", new Entry(InceptionV3Mini::create, new int[] {3, 32, 32}, "small net of Inception-v3 factorised 1x7/7x1 blocks with batch norm (32x32 inputs): 0.31 M params, 78 M mult-adds"));
        MODELS.put("alexnet", new Entry(AlexNet::create, new int[] {3, 224, 224}, "AlexNet, torchvision's single tower (224x224 inputs, at least 63x63): 61.1 M params, 0.71 G mult-adds"));
        MODELS.put("alexnet_original", new Entry(OriginalAlexNet::create, new int[] {3, 227, 227}, "AlexNet as published, two towers as grouped convolutions, LRN (Krizhevsky et al. 2012; 227x227 inputs, up to 258x258): 61.0 M params, 0.72 G mult-adds"));
        MODELS.put("vgg11", new Entry(VGG::vgg11, new int[] {3, 224, 224}, "VGG-11 (Simonyan & Zisserman 2014, torchvision; 224x224 inputs, at least 32x32): 132.9 M params, 7.6 G mult-adds"));
        MODELS.put("vgg13", new Entry(VGG::vgg13, new int[] {3, 224, 224}, "VGG-13 (Simonyan & Zisserman 2014, torchvision; 224x224 inputs, at least 32x32): 133.0 M params, 11.3 G mult-adds"));
        MODELS.put("vgg16", new Entry(VGG::vgg16, new int[] {3, 224, 224}, "VGG-16 (Simonyan & Zisserman 2014, torchvision; 224x224 inputs, at least 32x32): 138.4 M params, 15.5 G mult-adds"));
        MODELS.put("vgg19", new Entry(VGG::vgg19, new int[] {3, 224, 224}, "VGG-19 (Simonyan & Zisserman 2014, torchvision; 224x224 inputs, at least 32x32): 143.7 M params, 19.6 G mult-adds"));
        MODELS.put("googlenet", new Entry(GoogLeNet::create, new int[] {3, 224, 224}, "GoogLeNet / Inception v1 with batch norm (Szegedy et al. 2014, torchvision; 224x224 inputs, at least 15x15): 6.6 M params, 1.5 G mult-adds"));
        MODELS.put("googlenet_aux", new Entry(GoogLeNet::withAux, new int[] {3, 224, 224}, "GoogLeNet with its two auxiliary classifiers, for training (224x224 inputs, at least 15x15): 13.0 M params"));
        MODELS.put("resnet18", new Entry(ResNet::resnet18, new int[] {3, 224, 224}, "ResNet-18 (He et al. 2015, torchvision; 224x224 inputs): 11.7 M params, 1.8 G mult-adds"));
        MODELS.put("resnet34", new Entry(ResNet::resnet34, new int[] {3, 224, 224}, "ResNet-34 (He et al. 2015, torchvision; 224x224 inputs): 21.8 M params, 3.7 G mult-adds"));
        MODELS.put("resnet50", new Entry(ResNet::resnet50, new int[] {3, 224, 224}, "ResNet-50 (He et al. 2015, torchvision, stride on the 3x3; 224x224 inputs): 25.6 M params, 4.1 G mult-adds"));
        MODELS.put("resnet101", new Entry(ResNet::resnet101, new int[] {3, 224, 224}, "ResNet-101 (He et al. 2015, torchvision; 224x224 inputs): 44.5 M params, 7.8 G mult-adds"));
        MODELS.put("resnet152", new Entry(ResNet::resnet152, new int[] {3, 224, 224}, "ResNet-152 (He et al. 2015, torchvision; 224x224 inputs): 60.2 M params, 11.5 G mult-adds"));
        MODELS.put("densenet121", new Entry(DenseNet::densenet121, new int[] {3, 224, 224}, "DenseNet-121 (Huang et al. 2016, torchvision; 224x224 inputs, at least 29x29): 8.0 M params, 2.8 G mult-adds"));
        MODELS.put("densenet169", new Entry(DenseNet::densenet169, new int[] {3, 224, 224}, "DenseNet-169 (Huang et al. 2016, torchvision; 224x224 inputs, at least 29x29): 14.1 M params, 3.4 G mult-adds"));
        MODELS.put("densenet201", new Entry(DenseNet::densenet201, new int[] {3, 224, 224}, "DenseNet-201 (Huang et al. 2016, torchvision; 224x224 inputs, at least 29x29): 20.0 M params, 4.3 G mult-adds"));
        MODELS.put("mobilenet_v2", new Entry(MobileNetV2::create, new int[] {3, 224, 224}, "MobileNetV2, width 1.0 (Sandler et al. 2018, torchvision; 224x224 inputs): 3.5 M params, 0.30 G mult-adds"));
    }

    public static Set<String> names() {
        return MODELS.keySet();
    }

    public static String description(String name) {
        return entry(name).description;
    }

    /** The input the model is built for, channels x height x width (summaries use it by default). */
    public static int[] inputShape(String name) {
        return entry(name).inputShape.clone();
    }

    public static Module create(String name, int inChannels, int classes) {
        return entry(name).factory.create(inChannels, classes);
    }

    private static Entry entry(String name) {
        Entry e = MODELS.get(name);
        if (e == null) throw new IllegalArgumentException("unknown model '" + name + "'; available: " + String.join(", ", MODELS.keySet()));
        return e;
    }
}
