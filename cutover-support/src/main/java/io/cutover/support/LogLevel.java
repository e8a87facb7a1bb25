package io.cutover.support;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How much a daemon logs, as its configuration names it ({@code log-level: debug} in {@code host.yaml},
 * {@code logLevel: debug} in {@code tunnel.yaml}, {@code sdn serve --log-level debug}). Read and checked with the rest of
 * the configuration, so that a typo is a configuration error naming its key rather than a level silently ignored; the
 * launcher applies it to the process's loggers at start-up, over {@code CUTOVER_LOG_LEVEL}.
 */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR;

    /**
     * The level {@code text} names, in any case.
     *
     * @throws IllegalArgumentException saying which levels there are
     */
    public static LogLevel parse(String text) {
        String wanted = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        for (LogLevel level : values()) {
            if (level.name().equals(wanted)) {
                return level;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a log level (expected "
                + Arrays.stream(values()).map(l -> l.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                + ")");
    }
}
