package io.cutover.qemu;

/** QEMU refused a command: it answered with an error of {@link #errorClass()} and {@link #description()}. */
public final class QmpCommandException extends QmpException {
    private final String command;
    private final String errorClass;
    private final String description;

    public QmpCommandException(String command, String errorClass, String description) {
        super(command + ": " + errorClass + ": " + description);
        this.command = command;
        this.errorClass = errorClass;
        this.description = description;
    }

    /** The command QEMU refused. */
    public String command() {
        return command;
    }

    /** QEMU's error class, such as {@code GenericError} or {@code CommandNotFound}. */
    public String errorClass() {
        return errorClass;
    }

    /** QEMU's description of the error. */
    public String description() {
        return description;
    }
}
