package io.cutover.qemu;

/**
 * A QEMU migration did not complete: QEMU reported it failed or cancelled, or the switchover's steps failed or
 * overran their budget and the driver cancelled it. {@link #sourceStatus()} says how the guest is at the source
 * afterwards, as QEMU reported it ({@code running} when it runs on there).
 */
public final class QemuMigrationException extends RuntimeException {
    private final String sourceStatus;

    public QemuMigrationException(String message, String sourceStatus, Throwable cause) {
        super(message + " (the guest is " + sourceStatus + " at the source)", cause);
        this.sourceStatus = sourceStatus;
    }

    /** The source guest's run state after the failure, from QMP {@code query-status}. */
    public String sourceStatus() {
        return sourceStatus;
    }
}
