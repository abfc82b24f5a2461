package dev.fovea.cli;

import dev.fovea.data.FashionMnist;
import dev.fovea.data.ImageClassification;
import dev.fovea.data.Mnist;

import java.nio.file.Path;

/** The datasets the command line knows by name. */
final class Datasets {
    private Datasets() {}

    static final String NAMES = "fashion-mnist, mnist";

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
            default -> throw new UsageException("unknown dataset '" + name + "'; available: " + NAMES);
        };
    }
}
