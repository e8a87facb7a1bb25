package io.cutover.cli;

import ch.qos.logback.classic.Level;
import io.cutover.support.LogLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon's configured log level ({@code log-level} in {@code host.yaml}, {@code logLevel} in {@code tunnel.yaml},
 * {@code sdn serve --log-level}) applied to the process's root logger at start-up, before the daemon logs anything. It
 * wins over {@code CUTOVER_LOG_LEVEL}, which sets every process's level ({@code logback.xml}); Netty's, Vert.x's and
 * Pcap4J's loggers keep their own level (WARN).
 */
final class DaemonLogging {
    private DaemonLogging() {
    }

    /** Sets the root logger's level; {@code null} leaves it as {@code logback.xml} set it. */
    static void apply(LogLevel level) {
        if (level != null && LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(Level.toLevel(level.name()));
        }
    }
}
