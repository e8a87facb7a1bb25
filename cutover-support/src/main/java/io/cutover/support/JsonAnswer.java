package io.cutover.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Arrays;

/** The answer to a {@link JsonHttpClient} call, whatever its status: the status and the body. */
public final class JsonAnswer {
    private final String call;
    private final int status;
    private final String text;

    JsonAnswer(String call, int status, String text) {
        this.call = call;
        this.status = status;
        this.text = text;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The body as it came ({@code ""} when none). */
    public String text() {
        return text;
    }

    /**
     * The body as JSON, or {@code null} when it is empty.
     *
     * @throws HttpMalformedAnswerException when the body is not JSON
     */
    public JsonNode body() {
        if (text.isBlank()) {
            return null;
        }
        try {
            return JsonHttpClient.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new HttpMalformedAnswerException(call, e.getOriginalMessage(), e);
        }
    }

    /**
     * The body read as a {@code type} (fields it does not know are ignored).
     *
     * @throws HttpMalformedAnswerException when the body is empty, not JSON, or not a {@code type}
     */
    public <T> T body(Class<T> type) {
        if (text.isBlank()) {
            throw new HttpMalformedAnswerException(call, "no body, expected a " + type.getSimpleName(), null);
        }
        try {
            return JsonHttpClient.JSON.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new HttpMalformedAnswerException(call, e.getOriginalMessage(), e);
        }
    }

    /**
     * This answer, when its status is one of {@code expected}.
     *
     * @throws HttpErrorStatusException otherwise, with the status and the server's error
     */
    public JsonAnswer requireStatus(int... expected) {
        if (Arrays.stream(expected).noneMatch(code -> code == status)) {
            throw new HttpErrorStatusException(call, status, text);
        }
        return this;
    }

    /**
     * This answer, when its status is 2xx.
     *
     * @throws HttpErrorStatusException otherwise, with the status and the server's error
     */
    public JsonAnswer requireSuccess() {
        if (status / 100 != 2) {
            throw new HttpErrorStatusException(call, status, text);
        }
        return this;
    }

    @Override
    public String toString() {
        return call + ": " + status + " " + text;
    }
}
