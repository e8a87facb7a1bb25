package io.cutover.arp;

/** An announcement could not be sent; the message names the interface and what failed. */
public class AnnounceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AnnounceException(String message) {
        super(message);
    }

    public AnnounceException(String message, Throwable cause) {
        super(message, cause);
    }
}
