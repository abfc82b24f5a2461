package dev.fovea.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST: 28x28 grey images of clothing in 10 classes, 60000 for training and 10000 for testing.
 *
 * <p>It is MNIST's drop-in replacement (same file names, same sizes) for a benchmark that is not solved by a linear
 * model, which makes it the default dataset for checking that a CNN actually learns.
 *
 * <p>The data is read from {@link #defaultDir()}: the folder named by the environment variable
 * {@value #ENV_VAR} if it is set, else {@link #DEFAULT_DIR}, where Debian's {@code dataset-fashion-mnist} package
 * installs it. Pass a folder to {@link #train(Path)} or {@link #test(Path)} to read from elsewhere. Samples are
 * normalised with the training set's {@link #MEAN} and {@link #STD}; use
 * {@link ImageClassification#withNormalisation(double, double) withNormalisation(0, 1)} for raw [0, 1] pixels.
 */
public final class FashionMnist {
    /** Where {@code sudo apt-get install -y dataset-fashion-mnist} puts the four IDX files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The environment variable that, when set, names the folder holding the four IDX files instead. */
    public static final String ENV_VAR = "FOVEA_FASHION_MNIST";

    /** The mean pixel of the training images, scaled to [0, 1]. */
    public static final double MEAN = 0.2860;

    /** The standard deviation of the training pixels, scaled to [0, 1]. */
    public static final double STD = 0.3530;

    /** The class names, indexed by label. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    static final String HOW_TO_GET = "run: sudo apt-get install -y dataset-fashion-mnist (or set " + ENV_VAR
            + " to a folder holding the four IDX files)";

    private FashionMnist() {
    }

    /** The folder the no-argument factories read: {@value #ENV_VAR} if set, else {@link #DEFAULT_DIR}. */
    public static Path defaultDir() {
        return MnistLayout.dirFromEnv(ENV_VAR, DEFAULT_DIR);
    }

    /** The 60000 training images from {@link #defaultDir()}. */
    public static ImageClassification train() {
        return train(defaultDir());
    }

    /** The 10000 test images from {@link #defaultDir()}. */
    public static ImageClassification test() {
        return test(defaultDir());
    }

    /** The 60000 training images from {@code dir}, which holds the files raw or gzipped. */
    public static ImageClassification train(Path dir) {
        return MnistLayout.load("Fashion-MNIST train", dir, "train", CLASS_NAMES, MEAN, STD, HOW_TO_GET);
    }

    /** The 10000 test images from {@code dir}, which holds the files raw or gzipped. */
    public static ImageClassification test(Path dir) {
        return MnistLayout.load("Fashion-MNIST test", dir, "t10k", CLASS_NAMES, MEAN, STD, HOW_TO_GET);
    }
}
