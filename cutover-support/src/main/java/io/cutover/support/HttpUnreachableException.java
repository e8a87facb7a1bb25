package io.cutover.support;

/**
 * A call got no answer: the connection was refused or timed out, the answer did not come in time, the connection
 * broke, or the caller was interrupted. Whether the server acted on the call is unknown. The cause says which.
 */
public final class HttpUnreachableException extends HttpCallException {
    private static final long serialVersionUID = 1L;

    HttpUnreachableException(String call, Throwable cause) {
        super(call, "no answer (" + cause + ")", cause);
    }
}
