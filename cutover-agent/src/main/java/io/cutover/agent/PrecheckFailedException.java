package io.cutover.agent;

/** A cutover was refused before anything moved; the message says which check failed. */
public class PrecheckFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PrecheckFailedException(String message) {
        super(message);
    }

    public PrecheckFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
