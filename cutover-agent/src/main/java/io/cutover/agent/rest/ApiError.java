package io.cutover.agent.rest;

/** An error answer with its HTTP status, thrown by a handler and written by {@link io.cutover.support.ErrorAnswer}. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;

    ApiError(int status, String error, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }
}
