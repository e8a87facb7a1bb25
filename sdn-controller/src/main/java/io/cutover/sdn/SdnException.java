package io.cutover.sdn;

/** A controller operation failed; subclasses say why. */
public class SdnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SdnException(String message) {
        super(message);
    }

    public SdnException(String message, Throwable cause) {
        super(message, cause);
    }
}
