package io.cutover.lab;

/**
 * The guest image could not be built: a program or Debian package is missing (the message names it), the
 * kernel package cannot be found or downloaded, or a build step failed (the message carries its error).
 */
public class GuestImageException extends LabException {
    private static final long serialVersionUID = 1L;

    public GuestImageException(String message) {
        super(message);
    }

    public GuestImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
