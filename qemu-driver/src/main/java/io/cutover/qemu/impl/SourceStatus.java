package io.cutover.qemu.impl;

import io.cutover.qemu.QmpClient;

import java.time.Duration;

/** Where a source guest stands after a migration that did not complete. */
final class SourceStatus {
    private static final long POLL_MILLIS = 20;

    private SourceStatus() {
    }

    /**
     * Waits up to {@code limit} for the guest to leave the migration's transient states (QEMU restarts a guest it
     * paused for a migration that failed or was cancelled) and returns its run state, or {@code unknown}.
     */
    static String awaitSettled(QmpClient qmp, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        String status = "unknown";
        while (true) {
            try {
                status = qmp.execute("query-status").path("status").asText("unknown");
            } catch (RuntimeException e) {
                return "unknown (" + e.getMessage() + ")";
            }
            boolean settling = status.equals("finish-migrate") || status.equals("paused")
                    || status.equals("prelaunch") || status.equals("colo");
            if (!settling || System.nanoTime() > deadline) {
                return status;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return status;
            }
        }
    }
}
