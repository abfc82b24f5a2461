package dev.fovea.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsageTest {

    private static void assertOneLineError(Cli r, int code, String... fragments) {
        assertEquals(code, r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected, got: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace expected: " + err);
        for (String f : fragments) assertTrue(err.contains(f), "expected '" + f + "' in: " + err);
    }

    @Test
    void noArgumentsAndHelpPrintTheCommands() {
        for (String[] args : new String[][] {{}, {"--help"}, {"-h"}}) {
            Cli r = Cli.run(args);
            assertEquals(0, r.code());
            for (String c : new String[] {"train", "eval", "predict", "summary", "test"}) assertTrue(r.out().contains("  " + c + " "), r.out());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "eval", "predict", "summary"})
    void everyCommandHasHelp(String command) {
        Cli r = Cli.run(command, "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("usage: fovea " + command), r.out());
        assertTrue(r.out().contains("--help"), r.out());
    }

    @Test
    void unknownCommandSuggestsTheClosest() {
        assertOneLineError(Cli.run("trian"), 2, "unknown command 'trian'", "did you mean 'train'?");
    }

    @Test
    void unknownOptionNamesItAndTheClosestValidOne() {
        assertOneLineError(Cli.run("train", "--epoch", "3"), 2, "unknown option --epoch", "did you mean --epochs?");
        assertOneLineError(Cli.run("train", "--bach=32"), 2, "unknown option --bach", "did you mean --batch?");
        assertOneLineError(Cli.run("summary", "lenet5", "--zzzzzzzz"), 2, "unknown option --zzzzzzzz", "fovea summary --help");
    }

    @Test
    void badValuesAreNamed() {
        assertOneLineError(Cli.run("train", "--epochs", "ten"), 2, "--epochs", "whole number", "'ten'");
        assertOneLineError(Cli.run("train", "--lr", "fast"), 2, "--lr", "number", "'fast'");
        assertOneLineError(Cli.run("train", "--epochs", "0"), 2, "--epochs", "at least 1");
        assertOneLineError(Cli.run("train", "--batch"), 2, "--batch needs a value");
        assertOneLineError(Cli.run("train", "--model", "alexnet9"), 2, "unknown model 'alexnet9'", "lenet5");
        assertOneLineError(Cli.run("train", "--dataset", "imagenet"), 2, "unknown dataset 'imagenet'");
        assertOneLineError(Cli.run("summary", "lenet5", "--input", "1,28"), 2, "--input", "C,H,W");
    }

    @Test
    void missingFilesAreReportedWithoutTrace() {
        assertOneLineError(Cli.run("eval", "/nonexistent/model.fovea"), 1, "/nonexistent/model.fovea");
        assertOneLineError(Cli.run("summary", "/nonexistent/model.fovea"), 2, "neither a model file nor a model name");
        assertOneLineError(Cli.run("predict"), 2, "missing MODEL");
    }

    @Test
    void summaryOfLeNet5ByName() {
        Cli r = Cli.run("summary", "lenet5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Total params: 61,706"), r.out());
        assertTrue(r.out().contains("[1, 6, 28, 28]"), r.out());
        assertTrue(r.out().contains("[1, 16, 5, 5]"), r.out());
    }

    @Test
    void summaryTooSmallInputIsAClearError() {
        assertOneLineError(Cli.run("summary", "lenet5", "--input", "1,8,8"), 1, "too small");
    }
}
