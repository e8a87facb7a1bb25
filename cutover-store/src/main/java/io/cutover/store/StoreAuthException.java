package io.cutover.store;

/**
 * The store refused who the client is: no credential where the store asks for one, a wrong password, or a document
 * (the root among them) that another identity made. Nothing was read or written; retrying does not help.
 */
public final class StoreAuthException extends StoreException {
    public StoreAuthException(String path, String message, Throwable cause) {
        super(path, message, cause);
    }
}
