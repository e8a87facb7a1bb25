package io.cutover.sdn;

/** A move operation was asked in a state that does not allow it (commit before prepare, cleanup twice). */
public final class MoveStateException extends SdnException {
    private static final long serialVersionUID = 1L;

    public MoveStateException(String message) {
        super(message);
    }
}
