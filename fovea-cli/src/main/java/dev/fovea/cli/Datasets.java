package dev.fovea.cli;

import dev.fovea.data.ByteImageDataset;
import dev.fovea.data.Cifar;
import dev.fovea.data.Dataset;
import dev.fovea.data.FashionMnist;
import dev.fovea.data.ImageClassification;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Mnist;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The datasets the command line knows by name. The IDX ones (MNIST layout) are what {@link #load} reads, for every
 * command; {@link #open} also reads CIFAR-10, CIFAR-100 and folders of images, for {@code fovea train}. EMNIST ships
 * as IDX files too: rename its four files to the MNIST names and use {@code --dataset mnist --data-dir DIR}.
 */
final class Datasets {
    private Datasets() {}

    static final String NAMES = "fashion-mnist, mnist";

    /** What {@code fovea train} reads. */
    static final String TRAIN_NAMES = "fashion-mnist, mnist, cifar10, cifar100 (fine labels), "
            + "folder (--data-dir with train/ and test/ sub-folders, each with one sub-folder of PNG/JPEG images per class)";

    static ImageClassification load(String name, String dir, boolean train) {
        return switch (name) {
            case "fashion-mnist" -> {
                Path d = dir == null ? FashionMnist.defaultDir() : Path.of(dir);
                yield train ? FashionMnist.train(d) : FashionMnist.test(d);
            }
            case "mnist" -> {
                Path d = dir == null ? Mnist.defaultDir() : Path.of(dir);
                yield train ? Mnist.train(d) : Mnist.test(d);
            }
            case "cifar10", "cifar100", "folder" -> throw new UsageException("dataset '" + name + "' is only read by fovea train so far; available here: " + NAMES);
            default -> throw new UsageException("unknown dataset '" + name + "'; available: " + NAMES);
        };
    }

    /**
     * Both splits of a dataset and the normalisation its samples carry, for the model file's metadata: numbers for
     * the grey IDX sets (as before), lists of one number per channel for the colour ones.
     */
    record Splits(Dataset train, Dataset test, Object mean, Object std) {}

    /** Opens dataset {@code name} for training; {@code imageSize} is the side images of a folder are resized to. */
    static Splits open(String name, String dir, int imageSize) {
        return switch (name) {
            case "fashion-mnist", "mnist" -> {
                ImageClassification train = load(name, dir, true), test = load(name, dir, false);
                yield new Splits(train, test, train.mean(), train.std());
            }
            case "cifar10", "cifar100" -> {
                if (dir == null) throw new UsageException("--dataset " + name + " needs --data-dir DIR, the folder of its binary files");
                Path d = Path.of(dir);
                ByteImageDataset train = name.equals("cifar10") ? Cifar.train10(d) : Cifar.train100(d);
                ByteImageDataset test = name.equals("cifar10") ? Cifar.test10(d) : Cifar.test100(d);
                yield new Splits(train, test, list(train.mean()), list(train.std()));
            }
            case "folder" -> {
                if (dir == null) throw new UsageException("--dataset folder needs --data-dir DIR, holding train/ and test/ folders of class sub-folders");
                Path root = Path.of(dir);
                if (Files.isDirectory(root) && !Files.isDirectory(root.resolve("train"))) {
                    throw new UsageException("--dataset folder: " + root.resolve("train") + " is not a folder; --data-dir must hold train/ and test/, each with one sub-folder of images per class");
                }
                ByteImageDataset train = ImageFolder.read("folder train", root.resolve("train"), 3, imageSize, imageSize);
                ByteImageDataset test = ImageFolder.read("folder test", root.resolve("test"), 3, imageSize, imageSize);
                if (!test.classNames().equals(train.classNames())) {
                    throw new UsageException("--dataset folder: the class folders of " + root.resolve("test") + " " + test.classNames()
                            + " differ from those of " + root.resolve("train") + " " + train.classNames());
                }
                // Normalised with the training split's own per-channel statistics (from up to 10000 images).
                double[][] st = train.channelStatistics(10_000);
                yield new Splits(train.withNormalisation(st[0], st[1]), test.withNormalisation(st[0], st[1]), list(st[0]), list(st[1]));
            }
            default -> throw new UsageException("unknown dataset '" + name + "'; available: fashion-mnist, mnist, cifar10, cifar100, folder");
        };
    }

    private static List<Double> list(double[] a) {
        List<Double> l = new ArrayList<>();
        for (double v : a) l.add(v);
        return l;
    }
}
