package io.cutover.sdn;

/** The controller holds as much of a kind of work as it takes at once; ask again shortly (the REST API answers 503). */
public final class BusyException extends SdnException {
    private static final long serialVersionUID = 1L;

    public BusyException(String message) {
        super(message);
    }
}
