package dev.fovea.data;

/**
 * The one exception for data that is missing or malformed.
 *
 * <p>Unchecked because a bad data file is not something a training loop can recover from; what matters is that the
 * person reading the stack trace can act on it, so every message starts with the file (or folder) it is about and
 * then says what is wrong, and, when the data is simply missing, how to get it.
 */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
