package io.cutover.qemu;

/** QEMU did not answer in time: no greeting on connect, or no reply to a command. */
public final class QmpTimeoutException extends QmpException {

    public QmpTimeoutException(String message) {
        super(message);
    }
}
