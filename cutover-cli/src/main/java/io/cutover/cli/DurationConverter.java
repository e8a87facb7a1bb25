package io.cutover.cli;

import io.cutover.support.Durations;
import picocli.CommandLine;

import java.time.Duration;

/** Reads duration options through {@link Durations}: {@code 300ms}, {@code 5s}, {@code 2m}. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
