package io.cutover.sdn;

/** A request names an endpoint, move or switch the controller does not know (bad input). */
public final class NotFoundException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
