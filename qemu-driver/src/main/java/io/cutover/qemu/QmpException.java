package io.cutover.qemu;

/** Something went wrong talking to QEMU over QMP; the subclasses say what. */
public class QmpException extends RuntimeException {

    public QmpException(String message) {
        super(message);
    }

    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
