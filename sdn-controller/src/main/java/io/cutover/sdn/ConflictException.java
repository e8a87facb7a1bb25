package io.cutover.sdn;

/**
 * A request that clashes with what the controller holds: a network id defined with another VNI or name, a VNI another
 * network carries, a network that endpoints are still in (the REST API answers 409).
 */
public final class ConflictException extends SdnException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }
}
