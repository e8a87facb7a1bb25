package io.cutover.support;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What really went wrong behind the wrappers of asynchronous code. */
public final class Causes {
    private Causes() {
    }

    /** {@code error} without its {@link CompletionException} and {@link ExecutionException} wrappers. */
    public static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
