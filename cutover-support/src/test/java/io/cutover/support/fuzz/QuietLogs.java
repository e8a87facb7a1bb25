package io.cutover.support.fuzz;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Raises loggers to WARN for the length of a fuzz run: a debug or info line per refused input would be most of
 * the run's time and of its output. {@link #close} puts the levels back.
 */
public final class QuietLogs implements AutoCloseable {
    private final List<Logger> loggers = new ArrayList<>();
    private final List<Level> levels = new ArrayList<>();

    private QuietLogs(String... names) {
        for (String name : names) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            loggers.add(logger);
            levels.add(logger.getLevel());
            logger.setLevel(Level.WARN);
        }
    }

    /** Quiets the named loggers (and those below them) until closed. */
    public static QuietLogs of(String... names) {
        return new QuietLogs(names);
    }

    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            loggers.get(i).setLevel(levels.get(i));
        }
    }
}
