package dev.fovea.web;

import dev.fovea.data.Dataset;
import dev.fovea.data.FashionMnist;
import dev.fovea.models.LeNet5;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Module;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.train.Trainer;
import dev.fovea.train.TrainingControl;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page in a real browser: trains LeNet-5 for a few hundred steps on part of Fashion-MNIST, serves it while it
 * goes on training, and runs {@code e2e/page.test.mjs} (playwright-core driving Debian's chromium), which checks
 * the live curves, pause and resume, new hyperparameters, a drawn prediction, a layer and a convolution
 * explanation, the test strip, the playground and an error-free console, and writes screenshots to
 * {@code target/screenshots}.
 *
 * <p>Without node, chromium, the e2e folder's npm packages or the dataset it skips, saying what is missing; under
 * CI (the CI variable set) it fails instead, since .ci/run installs them all.
 */
class BrowserTest {
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    private static void require(boolean present, String what) {
        if (present) return;
        if (System.getenv("CI") != null) fail("CI must provide " + what + " (.ci/run installs it)");
        assumeTrue(false, "skipping the browser test: " + what + " is missing");
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    @Test
    void thePageWorksInChromium() throws Exception {
        Path e2e = Path.of(System.getProperty("fovea.web.e2e", "e2e"));
        Path shots = Path.of(System.getProperty("fovea.web.screenshots", "target/screenshots"));
        require(onPath("node"), "node (apt-get install nodejs)");
        require(Files.isExecutable(CHROMIUM), "chromium at " + CHROMIUM + " (apt-get install chromium)");
        require(Files.isDirectory(e2e.resolve("node_modules/playwright-core")), "playwright-core in " + e2e + "/node_modules (npm ci there)");
        require(Files.isRegularFile(FashionMnist.defaultDir().resolve("train-images-idx3-ubyte.gz"))
                || Files.isRegularFile(FashionMnist.defaultDir().resolve("train-images-idx3-ubyte")), "Fashion-MNIST (./fovea test installs it)");

        // A freshly trained small model: about 190 steps on 6,000 images, enough to tell garments apart.
        Rng.manualSeed(7);
        Dataset train = FashionMnist.train(), test = FashionMnist.test().limit(2000);
        Module model = LeNet5.create(1, 10);
        SGD sgd = new SGD(model.parameters(), 0.03, 0.9, 5e-4, false);
        new Trainer(model, sgd, new CrossEntropyLoss()).output(null).fit(train.limit(6000), null, 1, 32, 7);

        // Then live: small epochs, so the page sees steps and test accuracy move, until the browser is done.
        TrainingFeed feed = new TrainingFeed(new TrainingControl());
        ServedModel served = new ServedModel("lenet5", model, train.classNames(), new int[] {1, 28, 28},
                new double[] {FashionMnist.MEAN}, new double[] {FashionMnist.STD}, test);
        Files.createDirectories(shots);
        Path log = shots.resolve("browser-test.log");
        try (WebServer server = WebServer.start(served, feed, "127.0.0.1", 0, null)) {
            Trainer live = feed.attach(new Trainer(model, sgd, new CrossEntropyLoss()).output(null), 10_000);
            CompletableFuture<Trainer.Outcome> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return live.run(train.range(6000, 1000, "live part"), test.limit(500), 10_000, 32, 8);
                } finally {
                    feed.finished(null);
                }
            });
            ProcessBuilder pb = new ProcessBuilder("node", "page.test.mjs").directory(e2e.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("FOVEA_URL", server.uri().toString());
            pb.environment().put("SCREENSHOTS", shots.toAbsolutePath().toString());
            pb.environment().put("CHROMIUM", CHROMIUM.toString());
            Process node = pb.start();
            boolean done = node.waitFor(240, TimeUnit.SECONDS);
            if (!done) node.destroyForcibly();
            feed.control().stop();
            run.get(120, TimeUnit.SECONDS);
            String output = read(log);
            System.out.println("browser test: its log is " + log.toAbsolutePath() + ", its screenshots beside it");
            assertTrue(done, "the browser test did not finish in 4 minutes:\n" + output);
            assertEquals(0, node.exitValue(), "the browser test failed:\n" + output);
            assertTrue(output.contains(" passed, 0 failed"), output);
        }
        assertTrue(Files.size(shots.resolve("network.png")) > 10_000, "a screenshot of the network view");
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "(no output)";
    }
}
