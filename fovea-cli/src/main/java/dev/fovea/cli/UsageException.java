package dev.fovea.cli;

/** A mistake on the command line: printed as one line, never as a stack trace. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
