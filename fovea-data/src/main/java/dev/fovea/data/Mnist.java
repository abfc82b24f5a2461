package dev.fovea.data;

import java.nio.file.Path;
import java.util.List;

/**
 * MNIST: 28x28 grey images of handwritten digits, 60000 for training and 10000 for testing.
 *
 * <p>No package on this platform ships MNIST, so it is read from a folder the user provides: the one passed to
 * {@link #train(Path)} or {@link #test(Path)}, or for the no-argument factories the folder named by the environment
 * variable {@value #ENV_VAR}, else {@link #DEFAULT_DIR} (the place Fashion-MNIST's package would suggest). Samples
 * are normalised with the training set's {@link #MEAN} and {@link #STD}.
 */
public final class Mnist {
    /** Where the no-argument factories look when {@value #ENV_VAR} is not set. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/mnist");

    /** The environment variable that, when set, names the folder holding the four IDX files. */
    public static final String ENV_VAR = "FOVEA_MNIST";

    /** The mean pixel of the training images, scaled to [0, 1]. */
    public static final double MEAN = 0.1307;

    /** The standard deviation of the training pixels, scaled to [0, 1]. */
    public static final double STD = 0.3081;

    /** The class names, indexed by label: the digits themselves. */
    public static final List<String> CLASS_NAMES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    static final String HOW_TO_GET = "put the four MNIST IDX files (train-images-idx3-ubyte.gz, "
            + "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; raw or .gz) "
            + "in a folder and set " + ENV_VAR + " to it or pass it to Mnist.train(dir) / Mnist.test(dir)";

    private Mnist() {
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
        return MnistLayout.load("MNIST train", dir, "train", CLASS_NAMES, MEAN, STD, HOW_TO_GET);
    }

    /** The 10000 test images from {@code dir}, which holds the files raw or gzipped. */
    public static ImageClassification test(Path dir) {
        return MnistLayout.load("MNIST test", dir, "t10k", CLASS_NAMES, MEAN, STD, HOW_TO_GET);
    }
}
