package io.cutover.lab;

/**
 * A guest did not come up: QEMU is missing, refused its command line, exited, or the guest did not say it was
 * ready in time. The message ends with the tail of the guest's serial console and of QEMU's own output.
 */
public class GuestStartException extends LabException {
    private static final long serialVersionUID = 1L;

    public GuestStartException(String message) {
        super(message);
    }

    public GuestStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
