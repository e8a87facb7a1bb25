package io.cutover.support;

/** A call was answered, but its body is not the JSON the caller reads: not JSON at all, or not of the expected shape. */
public final class HttpMalformedAnswerException extends HttpCallException {
    private static final long serialVersionUID = 1L;

    HttpMalformedAnswerException(String call, String problem, Throwable cause) {
        super(call, "unreadable answer: " + problem, cause);
    }
}
