package io.cutover.support;

import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;

/**
 * The scheduling priority of single threads (on Linux each thread has its own niceness, and the threads it starts
 * inherit it): the lab's stand-ins for a hypervisor's control threads run ahead of the migration's stream that
 * shares their process, as they would in a real hypervisor's separate processes.
 */
public final class ThreadPriority {
    private static final int PRIO_PROCESS = 0;

    private ThreadPriority() {
    }

    /** Sets the calling thread's niceness (-20..19; below 0 needs root). */
    public static void niceCurrentThread(int niceness) {
        int tid;
        try {
            // "/proc/thread-self" links to "<pid>/task/<tid>"
            tid = Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException | NumberFormatException e) {
            throw new HostException("cannot find this thread's id in /proc/thread-self: " + e.getMessage(), e);
        }
        if (LibC.INSTANCE.setpriority(PRIO_PROCESS, tid, niceness) != 0) {
            throw new HostException("setpriority(" + niceness + ") failed: errno " + Native.getLastError());
        }
    }

    /** {@code base}'s threads, each setting its niceness before it runs anything. */
    public static ThreadFactory niced(ThreadFactory base, int niceness) {
        return runnable -> base.newThread(() -> {
            niceCurrentThread(niceness);
            runnable.run();
        });
    }
}
