package io.cutover.lab;

/** A lab operation failed: a command returned an error, or a daemon did not come up. */
public class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
