package io.cutover.ddns.impl;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: before attempt {@code n + 1}, wait a random time between half and all of
 * {@code min(max, initial * 2^(n-1))}, so that clients that failed together do not retry together.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;

    public Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** The wait after failed attempt {@code attempt} (1 for the first). */
    public Duration delay(int attempt, RandomGenerator random) {
        long cap = initial.toNanos();
        for (int i = 1; i < attempt && cap < max.toNanos(); i++) {
            cap *= 2;
        }
        cap = Math.min(cap, max.toNanos());
        long half = cap / 2;
        return Duration.ofNanos(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }
}
