package io.cutover.arp.impl;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Best effort: moves the calling thread to the real-time round-robin class at a low priority, as keepalived
 * does for VRRP, so that announcement rounds leave on time on a busy host. Without the permission
 * (CAP_SYS_NICE) the thread stays as it is.
 */
final class RealtimePriority {
    private static final Logger LOG = LoggerFactory.getLogger(RealtimePriority.class);
    private static final int SCHED_RR = 2;
    /** Low among real-time priorities (1..99): above every ordinary thread, below the kernel's own. */
    static final int PRIORITY = 10;

    private RealtimePriority() {
    }

    /** Whether the calling thread now runs with real-time priority. */
    static boolean tryRaise() {
        try {
            int result = LibC.INSTANCE.sched_setscheduler(0, SCHED_RR, new int[] {PRIORITY});
            if (result != 0) {
                LOG.debug("announcer thread keeps normal priority (errno {})", Native.getLastError());
            }
            return result == 0;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.debug("announcer thread keeps normal priority: {}", e.toString());
            return false;
        }
    }

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int sched_setscheduler(int pid, int policy, int[] param);
    }
}
