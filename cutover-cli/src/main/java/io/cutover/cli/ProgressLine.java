package io.cutover.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Where a long command shows how far it is: on a terminal, a bar redrawn in place ({@code \r}) as often as asked; in
 * a file or a pipe, a plain line at most every {@value #PLAIN_EVERY_SECONDS} s, so that a log holds readable lines
 * rather than one line of carriage returns.
 */
final class ProgressLine {
    static final long PLAIN_EVERY_SECONDS = 5;

    private final PrintStream out;
    private final boolean terminal;
    private long lastPlainNanos;
    private boolean shownPlain;
    private boolean drawn;

    ProgressLine(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Progress on standard error, as a bar if that is a terminal. */
    static ProgressLine onStandardError() {
        return new ProgressLine(System.err, isTerminal(2));
    }

    /** Whether this process's file descriptor {@code fd} is a terminal (Linux: where {@code /proc/self/fd} points). */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Shows {@code bar} in place on a terminal; elsewhere {@code plain} on a line of its own, if its time has come. */
    void show(String bar, String plain, long nowNanos) {
        if (terminal) {
            out.print("\r" + bar);
            drawn = true;
        } else if (!shownPlain || nowNanos - lastPlainNanos >= TimeUnit.SECONDS.toNanos(PLAIN_EVERY_SECONDS)) {
            out.println(plain);
            shownPlain = true;
            lastPlainNanos = nowNanos;
        }
        out.flush();
    }

    /** Ends the bar's line, if one was drawn, before anything else is printed. */
    void end() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }
}
