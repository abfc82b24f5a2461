package dev.fovea.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fovea.data.DataException;
import dev.fovea.io.ModelFormatException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target for the command line: the input is split at NUL bytes into arguments. An unknown command goes through
 * {@link Main#run} (exit 2 and one line); for a known one its option parser reads the arguments and every option
 * value is read the way the command reads it, and {@code train} runs for real up to where it would open the data
 * (the data folder is forced to an empty one, so no run starts). The property: a parse either succeeds or throws
 * {@link UsageException} with a message; {@code train} fails only with the exceptions {@link Main} turns into one
 * line (usage, data, model format, I/O), never another. Seeds: {@code CommandLineFuzzTestInputs/commandLine/}
 * (written by {@link #main}); campaign: SECURITY.md.
 */
class CommandLineFuzzTest {
    static final String FUZZ_TIME = "10m";
    @TempDir
    static Path empty;

    @FuzzTest(maxDuration = FUZZ_TIME)
    @Timeout(20)
    void commandLine(byte[] input) throws IOException {
        String[] argv = tokens(input);
        Args args = argv.length == 0 ? null : switch (argv[0]) {
            case "train" -> TrainCommand.args();
            case "eval" -> EvalCommand.args();
            case "predict" -> PredictCommand.args();
            case "summary" -> SummaryCommand.args();
            case "export" -> ExportCommand.args();
            case "import" -> ImportCommand.args();
            default -> null;
        };
        if (args == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int code = Main.run(argv, new PrintStream(out), new PrintStream(err));
            if (code == 0) assertTrue(out.toString().startsWith("usage: fovea"), "help expected: " + out);
            else assertTrue(code == 2 && err.toString().startsWith("fovea: error: unknown command"), "exit " + code + ": " + err);
            return;
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        try {
            if (!args.parse(rest)) {
                for (String name : args.names()) {
                    switch (args.kind(name)) {
                        case INT -> { if (args.text(name) != null) args.integer(name, Integer.MIN_VALUE); }
                        case NUMBER -> { if (args.text(name) != null) args.number(name, Double.NEGATIVE_INFINITY); }
                        case FLAG -> args.flag(name);
                        case TEXT -> args.text(name);
                    }
                }
            }
        } catch (UsageException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a usage error needs a message");
        }
        if (argv[0].equals("train")) train(rest);
    }

    /** Runs {@code fovea train} with the arguments, then a forced empty data folder that stops it before any work. */
    private static void train(String[] rest) throws IOException {
        List<String> a = new ArrayList<>(Arrays.asList(rest));
        a.addAll(List.of("--dataset", "folder", "--data-dir", empty.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            int code = TrainCommand.run(a.toArray(String[]::new), new PrintStream(out));
            assertEquals(0, code);
            assertTrue(out.toString().startsWith("usage: fovea train"), "only --help can succeed here: " + out);
        } catch (UsageException | DataException | ModelFormatException | IOException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "an error needs a message: " + e);
        }
    }

    static String[] tokens(byte[] input) {
        if (input.length == 0) return new String[0];
        return new String(input, StandardCharsets.UTF_8).split("\0", -1);
    }

    /** Writes the seed corpus; run from the module folder with the test class path. */
    public static void main(String[] ignored) throws IOException {
        Path root = Path.of("src/test/resources/dev/fovea/cli/CommandLineFuzzTestInputs/commandLine");
        Files.createDirectories(root);
        String[][] seeds = {
                {"train", "--epochs", "2", "--batch=32", "--lr", "0.1", "--schedule", "multistep", "--milestones", "1,2", "--gamma", "0.5"},
                {"train", "--optimizer", "adam", "--betas", "0.9,0.99", "--weight-decay", "0", "--warmup", "1"},
                {"train", "--lr-mult", "0=0.1", "--lr-mult", "features=2", "--freeze", "0,3", "--val-split", "0.1", "--early-stop", "2"},
                {"train", "--augment", "crop:4,flip,erase:0.5", "--label-smoothing", "0.1", "--limit", "100"},
                {"train", "--resume", "no-such.ckpt", "--epochs", "3"},
                {"train", "--init", "no-such.fovea", "--model", "lenet5"},
                {"train", "--clip-norm", "1.0", "--clip-value", "0.5", "--detect-anomaly"},
                {"train", "--epcohs", "3"},
                {"train", "--batch", "x"},
                {"eval", "model.fovea", "--top", "3", "--batch", "64"},
                {"predict", "model.fovea", "image.png", "--top=2"},
                {"summary", "resnet18", "--input", "3,32,32", "--classes", "10"},
                {"export", "lenet5", "out.safetensors", "--in-channels", "3"},
                {"import", "in.safetensors", "out.fovea", "--model", "resnet18", "--non-strict"},
                {"trian"},
                {"--help"},
        };
        for (int i = 0; i < seeds.length; i++) {
            Files.writeString(root.resolve(String.format("seed-%02d", i)), String.join("\0", seeds[i]));
        }
    }
}
