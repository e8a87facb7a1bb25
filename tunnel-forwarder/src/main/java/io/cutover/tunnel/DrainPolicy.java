package io.cutover.tunnel;

import java.time.Duration;
import java.util.Objects;

/**
 * When a move's tunnel ends after activation: whichever comes first of
 * <ul>
 *   <li>{@code idle}: no matching traffic for that long (default 30 s),</li>
 *   <li>{@code hardMax}: that long after activation, whatever the traffic (default 10 min),</li>
 *   <li>{@code dnsTtl}: the old DNS TTL, counted from the DNS switch (the DRAINING event); {@code null} = not used.</li>
 * </ul>
 */
public record DrainPolicy(Duration idle, Duration hardMax, Duration dnsTtl) {
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_HARD_MAX = Duration.ofMinutes(10);
    public static final DrainPolicy DEFAULT = new DrainPolicy(DEFAULT_IDLE, DEFAULT_HARD_MAX, null);

    public DrainPolicy {
        Objects.requireNonNull(idle, "drain.idle");
        Objects.requireNonNull(hardMax, "drain.hardMax");
        if (idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("drain.idle must be > 0, was " + idle);
        }
        if (hardMax.isNegative() || hardMax.isZero()) {
            throw new IllegalArgumentException("drain.hardMax must be > 0, was " + hardMax);
        }
        if (dnsTtl != null && dnsTtl.isNegative()) {
            throw new IllegalArgumentException("drain.dnsTtl must be >= 0, was " + dnsTtl);
        }
    }
}
