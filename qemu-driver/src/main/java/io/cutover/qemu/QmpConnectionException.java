package io.cutover.qemu;

/** The QMP socket cannot be reached, or the connection ended (QEMU exited, or the client was closed). */
public final class QmpConnectionException extends QmpException {

    public QmpConnectionException(String message) {
        super(message);
    }

    public QmpConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
