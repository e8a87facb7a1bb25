package io.cutover.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Busy-loop workers on the host, niced like a tenant's VMs, so that a benchmark measures the cutover on a busy host
 * (the control plane's daemons run at nice -10, ahead of them). Each worker ends by itself after {@code limit}, and
 * {@link #close()} ends them all at once.
 */
final class BusyLoad implements AutoCloseable {
    /** A tenant's VM's niceness: behind the host's daemons. */
    static final int NICENESS = 5;

    private final List<Process> workers = new ArrayList<>();
    private final Thread reaper = new Thread(this::close, "busy-load-reaper");

    private BusyLoad() {
    }

    /** Starts {@code count} workers that each spin one core until {@code limit} or {@link #close()}. */
    static BusyLoad start(int count, Duration limit) throws IOException {
        BusyLoad load = new BusyLoad();
        Runtime.getRuntime().addShutdownHook(load.reaper);
        try {
            for (int i = 0; i < count; i++) {
                load.workers.add(new ProcessBuilder("timeout", String.valueOf(limit.toSeconds()), "nice", "-n",
                        String.valueOf(NICENESS), "sh", "-c", "while :; do :; done")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
        } catch (IOException | RuntimeException e) {
            load.close();
            throw e;
        }
        return load;
    }

    int count() {
        return workers.size();
    }

    @Override
    public void close() {
        for (Process worker : workers) {
            worker.descendants().forEach(ProcessHandle::destroyForcibly);
            worker.destroyForcibly();
        }
        for (Process worker : workers) {
            try {
                worker.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (Thread.currentThread() != reaper) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }
}
