package dev.fovea.cli;

import dev.fovea.data.DataException;
import dev.fovea.io.ModelFormatException;
import dev.fovea.tensor.AnomalyException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code fovea} command: dispatches to one sub-command and turns every expected failure into one line. */
public final class Main {
    private Main() {}

    interface Command {
        int run(String[] args, PrintStream out) throws IOException;
    }

    private record Entry(String summary, Command command) {}

    private static final Map<String, Entry> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("train", new Entry("train a model (default: LeNet-5 on Fashion-MNIST) and save it", TrainCommand::run));
        COMMANDS.put("eval", new Entry("evaluate a saved model on its dataset's test split", EvalCommand::run));
        COMMANDS.put("predict", new Entry("classify an image file with a saved model (top-3 classes)", PredictCommand::run));
        COMMANDS.put("serve", new Entry("show a saved model in the browser: layers, activations, explanations, drawing", ServeCommand::run));
        COMMANDS.put("summary", new Entry("print a model's layers, output shapes, parameters and multiply-adds", SummaryCommand::run));
        COMMANDS.put("export", new Entry("write a model's weights as a safetensors file (PyTorch/torchvision names)", ExportCommand::run));
        COMMANDS.put("import", new Entry("load a safetensors file into a zoo model and save it as a Fovea model file", ImportCommand::run));
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        if (code != 0) System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(help());
            return 0;
        }
        Entry e = COMMANDS.get(args[0]);
        if (e == null) {
            String best = null;
            int bestD = Integer.MAX_VALUE;
            for (String k : COMMANDS.keySet()) {
                int d = Args.distance(args[0], k);
                if (d < bestD) {
                    bestD = d;
                    best = k;
                }
            }
            err.println("fovea: error: unknown command '" + args[0] + "'" + (bestD <= 2 ? " (did you mean '" + best + "'?)" : "") + "; see 'fovea --help'");
            return 2;
        }
        try {
            return e.command.run(Arrays.copyOfRange(args, 1, args.length), out);
        } catch (UsageException ex) {
            err.println("fovea " + args[0] + ": error: " + ex.getMessage());
            return 2;
        } catch (DataException | ModelFormatException ex) {
            err.println("fovea " + args[0] + ": error: " + ex.getMessage());
            return 1;
        } catch (NoSuchFileException ex) {
            err.println("fovea " + args[0] + ": error: no such file: " + ex.getFile());
            return 1;
        } catch (IOException | UncheckedIOException ex) {
            err.println("fovea " + args[0] + ": error: " + ex.getMessage());
            return 1;
        } catch (AnomalyException ex) {
            err.println("fovea " + args[0] + ": error: NaN or infinity found by --detect-anomaly: " + ex.getMessage());
            return 1;
        } catch (IllegalArgumentException | IllegalStateException ex) {
            err.println("fovea " + args[0] + ": error: " + ex.getMessage());
            return 1;
        }
    }

    static String help() {
        StringBuilder sb = new StringBuilder("usage: fovea <command> [options]\n\nFovea trains and runs convolutional neural networks in pure Java.\n\ncommands:\n");
        for (var e : COMMANDS.entrySet()) sb.append(String.format("  %-10s %s%n", e.getKey(), e.getValue().summary));
        sb.append(String.format("  %-10s %s%n", "test", "build and run every test (a command of the ./fovea launcher)"));
        sb.append("\nRun 'fovea <command> --help' for a command's options.\n");
        return sb.toString();
    }
}
