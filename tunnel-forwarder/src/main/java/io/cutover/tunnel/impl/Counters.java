package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Named counters and drops by reason, safe to bump from any thread. */
public final class Counters {
    /** The counters of a move, in the order they are reported. */
    public static final String[] NAMES = {
        "caught", "ignored", "held", "heldFromBefore", "flushed", "queuedBehindFlush", "sent", "bytesSent", "received", "injected", "bytesInjected", "rewritten",
        "tooBigAnswered", "proxyAnswered", "proxyLimited"
    };

    private final Map<String, LongAdder> counters = new LinkedHashMap<>();
    private final EnumMap<DropReason, LongAdder> drops = new EnumMap<>(DropReason.class);

    public Counters() {
        for (String name : NAMES) {
            counters.put(name, new LongAdder());
        }
        for (DropReason reason : DropReason.values()) {
            drops.put(reason, new LongAdder());
        }
    }

    public void add(String name, long value) {
        counter(name).add(value);
    }

    /**
     * The counter {@code name} itself, for a path that bumps it once per frame: looked up once, where the path is
     * made, instead of by name each time.
     */
    public LongAdder counter(String name) {
        LongAdder adder = counters.get(name);
        if (adder == null) {
            throw new IllegalArgumentException("no counter " + name);
        }
        return adder;
    }

    public void increment(String name) {
        add(name, 1);
    }

    public void drop(DropReason reason) {
        drops.get(reason).increment();
    }

    public void drop(DropReason reason, long count) {
        drops.get(reason).add(count);
    }

    public long get(String name) {
        return counters.get(name).sum();
    }

    public long drops(DropReason reason) {
        return drops.get(reason).sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new LinkedHashMap<>();
        counters.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    /** Drops with a count above 0. */
    public Map<DropReason, Long> dropSnapshot() {
        Map<DropReason, Long> copy = new EnumMap<>(DropReason.class);
        drops.forEach((k, v) -> {
            long n = v.sum();
            if (n > 0) {
                copy.put(k, n);
            }
        });
        return copy;
    }

    /** Adds counts journaled before a restart. */
    public void restore(Map<String, Long> values, Map<DropReason, Long> dropValues) {
        values.forEach((k, v) -> {
            LongAdder adder = counters.get(k);
            if (adder != null) {
                adder.add(v);
            }
        });
        dropValues.forEach((k, v) -> drops.get(k).add(v));
    }
}
