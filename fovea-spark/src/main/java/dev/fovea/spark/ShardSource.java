package dev.fovea.spark;

import dev.fovea.data.ByteImageDataset;
import dev.fovea.data.Cifar;
import dev.fovea.data.Dataset;
import dev.fovea.data.FashionMnist;
import dev.fovea.data.ImageClassification;
import dev.fovea.data.Mnist;

import java.io.Serializable;
import java.lang.ref.SoftReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the images of a distributed dataset come from: a dataset Fovea reads by name (the IDX files of Fashion-MNIST
 * and MNIST, the binary files of CIFAR-10 and CIFAR-100) in a folder every executor can read, one split of it. Only
 * this description travels to the executors; each reads the files itself ({@link Shard#read}).
 *
 * @param dataset fashion-mnist, mnist, cifar10 or cifar100
 * @param dir     the folder of its files as the executors see it; null for the dataset's standard place on the
 *                executor (for Fashion-MNIST: {@code FOVEA_FASHION_MNIST} or /usr/share/datasets/fashion-mnist)
 * @param train   the training split, else the test split
 */
public record ShardSource(String dataset, String dir, boolean train) implements Serializable {
    /** The datasets a source can name. */
    public static final List<String> DATASETS = List.of("fashion-mnist", "mnist", "cifar10", "cifar100");

    public ShardSource {
        if (!DATASETS.contains(dataset)) throw new IllegalArgumentException("unknown dataset '" + dataset + "'; available: " + String.join(", ", DATASETS));
        if (dataset.startsWith("cifar") && dir == null) throw new IllegalArgumentException("dataset " + dataset + " needs the folder of its binary files");
    }

    /** The other split of the same dataset. */
    public ShardSource split(boolean train) {
        return new ShardSource(dataset, dir, train);
    }

    /**
     * A JVM-wide cache of opened files: in local mode, or when one executor holds several partitions, the file is
     * read once rather than once per shard. Soft references, because once the shards are cut the whole file is not
     * needed any more.
     */
    private static final Map<ShardSource, SoftReference<Dataset>> OPENED = new ConcurrentHashMap<>();

    /** The whole split, read from disk on this JVM (or found in its cache). */
    Dataset open() {
        SoftReference<Dataset> ref = OPENED.get(this);
        Dataset d = ref == null ? null : ref.get();
        if (d != null) return d;
        synchronized (OPENED) {
            ref = OPENED.get(this);
            d = ref == null ? null : ref.get();
            if (d == null) {
                d = read();
                OPENED.put(this, new SoftReference<>(d));
            }
            return d;
        }
    }

    private Dataset read() {
        Path d = dir == null ? null : Path.of(dir);
        return switch (dataset) {
            case "fashion-mnist" -> {
                Path p = d == null ? FashionMnist.defaultDir() : d;
                yield train ? FashionMnist.train(p) : FashionMnist.test(p);
            }
            case "mnist" -> {
                Path p = d == null ? Mnist.defaultDir() : d;
                yield train ? Mnist.train(p) : Mnist.test(p);
            }
            case "cifar10" -> train ? Cifar.train10(d) : Cifar.test10(d);
            case "cifar100" -> train ? Cifar.train100(d) : Cifar.test100(d);
            default -> throw new IllegalStateException(dataset);
        };
    }

    /** What the driver needs to know about the split without holding it: read on an executor. */
    Info info() {
        Dataset d = open();
        Object mean, std;
        if (d instanceof ImageClassification ic) {
            mean = ic.mean();
            std = ic.std();
        } else if (d instanceof ByteImageDataset b) {
            mean = list(b.mean());
            std = list(b.std());
        } else {
            mean = null;
            std = null;
        }
        return new Info(d.name(), d.size(), d.sampleShape(), new ArrayList<>(d.classNames()), mean, std);
    }

    private static ArrayList<Double> list(double[] a) {
        ArrayList<Double> l = new ArrayList<>();
        for (double v : a) l.add(v);
        return l;
    }

    /**
     * A split's description: its name, size, sample shape, class names and normalisation (a number for the grey
     * IDX datasets, a list of one number per channel for the colour ones), as a model file's metadata records them.
     */
    public record Info(String name, int size, int[] sampleShape, ArrayList<String> classNames, Object mean, Object std) implements Serializable {}
}
