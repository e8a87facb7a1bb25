package io.cutover.support;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reader of durations in configuration and on the command line: {@code 300ms}, {@code 5s}, {@code 1.5s},
 * {@code 2m}, {@code 1h}, or {@code 0}. A bare number other than 0 is refused: its unit would be a guess.
 */
public final class Durations {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,3})?)(ms|s|m|h)?");

    private Durations() {
    }

    /**
     * Reads {@code value}.
     *
     * @throws IllegalArgumentException naming the value and the expected form
     */
    public static Duration parse(String value) {
        Matcher m = FORMAT.matcher(value == null ? "" : value.strip().toLowerCase(Locale.ROOT));
        if (!m.matches() || m.group(2) == null && Double.parseDouble(m.group(1)) != 0) {
            throw new IllegalArgumentException("bad duration '" + value + "': expected e.g. 300ms, 5s or 2m");
        }
        double amount = Double.parseDouble(m.group(1));
        long unitMillis = switch (m.group(2) == null ? "ms" : m.group(2)) {
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> 1L;
        };
        return Duration.ofNanos(Math.round(amount * unitMillis * 1_000_000));
    }

    /** {@link #parse} of a value that must be above zero, for the option called {@code option}. */
    public static Duration parsePositive(String option, String value) {
        Duration duration;
        try {
            duration = parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
        if (duration.isZero()) {
            throw new IllegalArgumentException(option + " must be above zero");
        }
        return duration;
    }
}
