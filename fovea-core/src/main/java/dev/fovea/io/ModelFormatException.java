package dev.fovea.io;

/** A model file that cannot be read: truncated, altered, of another format, or describing an unknown layer. */
public final class ModelFormatException extends RuntimeException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
