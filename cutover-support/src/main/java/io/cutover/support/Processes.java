package io.cutover.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the JDK does not say about another process. */
public final class Processes {
    private Processes() {
    }

    /**
     * Whether {@code process} still runs: alive and not a zombie. The JDK counts a process that exited and was not
     * reaped yet as alive; a detached daemon is reaped by init, which on some machines (this project's development
     * hosts among them) reaps 1.5-2 s late. A zombie holds nothing any more (its sockets, files and memory are gone),
     * so whoever waits for a process to stop may stop waiting.
     */
    public static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            // pid (comm) state ...: the command may hold spaces and parentheses; the state follows the last ')'
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | IndexOutOfBoundsException gone) {
            return process.isAlive();
        }
    }
}
