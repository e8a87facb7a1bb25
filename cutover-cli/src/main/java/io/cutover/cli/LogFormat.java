package io.cutover.cli;

import java.util.Locale;

/**
 * How the process logs: {@link #TEXT}, dated lines, or {@link #JSON}, one object a line for log collectors. logback
 * reads the choice once, as it starts, from {@code CUTOVER_LOG_FORMAT} ({@code logback.xml}), a system property before
 * the environment variable of that name; {@code --log-format} sets the property, which is why {@link #applyBeforeLogging}
 * runs before the first logger is made.
 */
enum LogFormat {
    TEXT, JSON;

    /** The property (and environment variable) logback reads. */
    static final String PROPERTY = "CUTOVER_LOG_FORMAT";

    /**
     * Sets {@link #PROPERTY} from a {@code --log-format FORMAT} (or {@code --log-format=FORMAT}) among {@code args},
     * in any case; a value that is neither is left for the command line's parser to refuse.
     */
    static void applyBeforeLogging(String... args) {
        for (int i = 0; i < args.length; i++) {
            String value = args[i].startsWith("--log-format=") ? args[i].substring("--log-format=".length())
                    : args[i].equals("--log-format") && i + 1 < args.length ? args[i + 1] : null;
            if (value != null) {
                try {
                    System.setProperty(PROPERTY, valueOf(value.toUpperCase(Locale.ROOT)).name());
                } catch (IllegalArgumentException e) {
                    // picocli says what is wrong with it
                }
            }
            if (args[i].equals("--")) {
                return;
            }
        }
    }
}
