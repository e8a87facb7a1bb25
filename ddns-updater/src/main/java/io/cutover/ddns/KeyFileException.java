package io.cutover.ddns;

/** A TSIG key file that cannot be used: missing, malformed, or with a refused algorithm. It is bad input. */
public final class KeyFileException extends IllegalArgumentException {
    public KeyFileException(String message) {
        super(message);
    }

    public KeyFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
