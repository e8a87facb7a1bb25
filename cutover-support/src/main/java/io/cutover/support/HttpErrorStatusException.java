package io.cutover.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/**
 * A call was answered with a status the caller did not want: the message is {@code CALL: STATUS PROBLEM}, where the
 * problem is {@code error: detail} of the JSON error every cutover API answers with, or else the body as it is.
 */
public final class HttpErrorStatusException extends HttpCallException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String problem;
    private final String body;

    HttpErrorStatusException(String call, int status, String body) {
        this(call, status, problem(body), body);
    }

    private HttpErrorStatusException(String call, int status, String problem, String body) {
        super(call, status + " " + problem, null);
        this.status = status;
        this.problem = problem;
        this.body = body;
    }

    /** The answer's HTTP status. */
    public int status() {
        return status;
    }

    /** The server's {@code error: detail}, or the body as it is when it is not such a JSON error. */
    public String problem() {
        return problem;
    }

    /** The answer's body as it came ({@code ""} when none). */
    public String body() {
        return body;
    }

    private static String problem(String body) {
        try {
            JsonNode error = JsonHttpClient.JSON.readTree(body);
            if (error != null && (error.hasNonNull("error") || error.hasNonNull("detail"))) {
                return error.path("error").asText() + ": " + error.path("detail").asText();
            }
        } catch (IOException e) {
            // not JSON: the body as it is
        }
        return body.strip();
    }
}
