package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.Forwarder;
import io.cutover.tunnel.ForwarderStats;
import io.cutover.tunnel.MoveState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The forwarder's counters as meters, read at each scrape (one {@link Forwarder#stats()} a scrape, however many
 * meters read it): {@code cutover_tunnel_frames_total{counter}} for each move counter summed over every move since
 * the start ({@code caught}, {@code held}, {@code flushed}, {@code sent}, {@code injected}, ...),
 * {@code cutover_tunnel_bytes_total{direction}} (sent into the tunnel, injected out of it),
 * {@code cutover_tunnel_drops_total{reason}} and {@code cutover_tunnel_moves{state}}.
 */
public final class TunnelMetrics {
    /** Stats younger than this serve every meter of one scrape. */
    private static final long FRESH_NANOS = 200_000_000L;

    private final Forwarder forwarder;
    private ForwarderStats last;
    private long lastAt;

    private TunnelMetrics(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    /** Registers {@code forwarder}'s meters in {@code registry}. */
    public static void bind(Forwarder forwarder, MeterRegistry registry) {
        TunnelMetrics metrics = new TunnelMetrics(forwarder);
        for (String name : Counters.NAMES) {
            if (name.startsWith("bytes")) {
                String direction = name.substring("bytes".length()).toLowerCase(Locale.ROOT);
                metrics.counter(registry, "cutover.tunnel.bytes", "direction", direction, s -> s.total(name),
                        "bytes of the frames the forwarder " + direction);
            } else {
                metrics.counter(registry, "cutover.tunnel.frames", "counter", name, s -> s.total(name),
                        "frames by what the forwarder did with them, over every move since the start");
            }
        }
        for (DropReason reason : DropReason.values()) {
            metrics.counter(registry, "cutover.tunnel.drops", "reason", reason.name(), s -> s.drops(reason),
                    "frames and datagrams dropped, by reason");
        }
        for (MoveState state : MoveState.values()) {
            Gauge.builder("cutover.tunnel.moves", forwarder,
                            f -> metrics.stats().moves().stream().filter(s -> s.state() == state).count())
                    .tag("state", state.name()).description("moves the forwarder holds, by state").register(registry);
        }
    }

    private void counter(MeterRegistry registry, String name, String tag, String value,
                         ToDoubleFunction<ForwarderStats> read, String description) {
        // a meter holds the object it reads weakly: the forwarder, which lives as long as the daemon, not this one
        FunctionCounter.builder(name, forwarder, f -> read.applyAsDouble(stats())).tag(tag, value)
                .description(description).register(registry);
    }

    private synchronized ForwarderStats stats() {
        long now = System.nanoTime();
        if (last == null || now - lastAt > FRESH_NANOS) {
            last = forwarder.stats();
            lastAt = now;
        }
        return last;
    }
}
