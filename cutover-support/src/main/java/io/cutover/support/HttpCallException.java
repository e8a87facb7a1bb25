package io.cutover.support;

/** A call of {@link JsonHttpClient} failed; the subclass says how, the message names the call. */
public abstract sealed class HttpCallException extends RuntimeException
        permits HttpUnreachableException, HttpErrorStatusException, HttpMalformedAnswerException {
    private static final long serialVersionUID = 1L;

    private final String call;

    HttpCallException(String call, String message, Throwable cause) {
        super(call + ": " + message, cause);
        this.call = call;
    }

    /** The call, as {@code METHOD URI}. */
    public String call() {
        return call;
    }
}
