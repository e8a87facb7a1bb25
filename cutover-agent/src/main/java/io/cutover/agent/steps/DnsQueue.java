package io.cutover.agent.steps;

import io.cutover.agent.config.DnsConfig;
import io.cutover.ddns.DnsUpdater;
import io.cutover.lab.Netns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This host's DNS updater and its durable queue: updates the server did not answer stay in the journal (also across
 * a restart of the agent) and are sent again every {@link DnsConfig#replayEvery()} until the server answers. Each
 * is a compare-and-swap, so a second delivery changes nothing.
 */
public final class DnsQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsQueue.class);

    private final DnsUpdater updater;
    private final ScheduledExecutorService replayer;
    private final AtomicBoolean replaying = new AtomicBoolean();

    private DnsQueue(DnsUpdater updater, DnsConfig config) {
        this.updater = updater;
        this.replayer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dns-replay");
            thread.setDaemon(true);
            return thread;
        });
        long every = config.replayEvery().toMillis();
        replayer.scheduleWithFixedDelay(this::replayPending, 0, every, TimeUnit.MILLISECONDS);
    }

    /** Opens the updater (in {@link DnsConfig#netns()} when set: its sockets are made there) and starts replaying. */
    public static DnsQueue open(DnsConfig config) {
        DnsUpdater updater;
        if (config.netns() == null) {
            updater = DnsUpdater.open(config.options());
        } else {
            try (Netns namespace = Netns.of(config.netns())) {
                updater = namespace.call(() -> DnsUpdater.open(config.options()));
            }
        }
        return new DnsQueue(updater, config);
    }

    public DnsUpdater updater() {
        return updater;
    }

    /** The updates the server has not answered yet. */
    public int pending() {
        return updater.pending().size();
    }

    private void replayPending() {
        try {
            if (updater.pending().isEmpty() || !replaying.compareAndSet(false, true)) {
                return;
            }
            updater.replay().whenComplete((results, error) -> {
                replaying.set(false);
                if (error != null) {
                    LOG.info("DNS queue: {} update(s) still pending ({})", pending(), error.getMessage());
                } else {
                    LOG.info("DNS queue: {} update(s) delivered", results.size());
                }
            });
        } catch (RuntimeException e) {
            replaying.set(false);
            LOG.warn("DNS queue: replay failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        replayer.shutdownNow();
        updater.close();
    }
}
