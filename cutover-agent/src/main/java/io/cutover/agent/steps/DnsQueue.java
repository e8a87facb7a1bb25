package io.cutover.agent.steps;

import io.cutover.agent.config.DnsConfig;
import io.cutover.ddns.DnsTimeoutException;
import io.cutover.ddns.DnsUpdater;
import io.cutover.support.Netns;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * This host's DNS updater and its queue. Updates the server did not answer stay in the updater's journal (also
 * across a restart of the agent) and are sent again every {@code replayEvery} until the server answers; each is a
 * compare-and-swap, so a second delivery changes nothing. Operations that read the server before they write (a TTL
 * restore) cannot be journaled: they wait here, in memory, and run once the journal is empty, in the order given.
 */
public final class DnsQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsQueue.class);

    private final DnsUpdater updater;
    private final ScheduledExecutorService replayer;
    private final Deque<Deferred> deferred = new ConcurrentLinkedDeque<>();

    private record Deferred(String what, Supplier<CompletionStage<?>> operation) {
    }

    private DnsQueue(DnsUpdater updater, Duration replayEvery) {
        this.updater = updater;
        this.replayer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dns-queue");
            thread.setDaemon(true);
            return thread;
        });
        replayer.scheduleWithFixedDelay(this::deliver, 0, replayEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the updater (in {@link DnsConfig#netns()} when set: its sockets are made there), with its meters in
     * {@code meters}, and starts delivering.
     */
    public static DnsQueue open(DnsConfig config, MeterRegistry meters) {
        DnsUpdater updater;
        if (config.netns() == null) {
            updater = DnsUpdater.open(config.options(), meters);
        } else {
            try (Netns namespace = Netns.of(config.netns())) {
                updater = namespace.call(() -> DnsUpdater.open(config.options(), meters));
            }
        }
        return new DnsQueue(updater, config.replayEvery());
    }

    /** A queue on an updater opened elsewhere; it closes the updater when it is closed. */
    public static DnsQueue on(DnsUpdater updater, Duration replayEvery) {
        return new DnsQueue(updater, replayEvery);
    }

    public DnsUpdater updater() {
        return updater;
    }

    /** Updates and operations not yet delivered. */
    public int pending() {
        return updater.pending().size() + deferred.size();
    }

    /** Runs {@code operation} later, again and again while the server does not answer. */
    public void retryUntilAnswered(String what, Supplier<CompletionStage<?>> operation) {
        deferred.add(new Deferred(what, operation));
    }

    private void deliver() {
        try {
            if (!updater.pending().isEmpty()) {
                updater.replay().toCompletableFuture().join();
                LOG.info("DNS queue: the journal's updates are delivered");
            }
            for (Deferred next = deferred.peek(); next != null; next = deferred.peek()) {
                next.operation().get().toCompletableFuture().join();
                deferred.remove(next);
                LOG.info("DNS queue: {} delivered", next.what());
            }
        } catch (CompletionException e) {
            if (e.getCause() instanceof DnsTimeoutException) {
                LOG.info("DNS queue: the server does not answer yet; {} update(s) wait", pending());
            } else {
                Deferred failed = deferred.poll();
                LOG.warn("DNS queue: {} failed and is dropped: {}", failed == null ? "an update" : failed.what(),
                        e.getCause() == null ? e : e.getCause().toString());
            }
        } catch (RuntimeException e) {
            LOG.warn("DNS queue: delivery failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        replayer.shutdownNow();
        updater.close();
    }
}
