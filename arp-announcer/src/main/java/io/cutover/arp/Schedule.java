package io.cutover.arp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * When the rounds of an announcement leave, as offsets from the first round. Every round sends every frame
 * of the announcement once, back to back. Immutable.
 *
 * <ul>
 *   <li>{@link #qemu()}: QEMU's announce-self defaults: 5 rounds at 0, 50, 200, 450 and 800 ms (the gap
 *       after round n is {@code initial + n * step}, at most {@code max}).</li>
 *   <li>{@link #keepalived}: keepalived's repeat/refresh: a burst of N rounds, the same burst again after a
 *       delay, then optional periodic refresh rounds.</li>
 * </ul>
 */
public final class Schedule {
    /** QEMU's {@code announce-rounds}: {@value}. */
    public static final int DEFAULT_ROUNDS = 5;
    /** QEMU's {@code announce-initial}: 50 ms. */
    public static final Duration DEFAULT_INITIAL = Duration.ofMillis(50);
    /** QEMU's {@code announce-step}: 100 ms. */
    public static final Duration DEFAULT_STEP = Duration.ofMillis(100);
    /** QEMU's {@code announce-max}: 550 ms. */
    public static final Duration DEFAULT_MAX = Duration.ofMillis(550);
    /** keepalived's {@code garp_master_repeat}: {@value}. */
    public static final int DEFAULT_KEEPALIVED_REPEAT = 5;
    /** keepalived's {@code garp_master_delay}: 5 s. */
    public static final Duration DEFAULT_KEEPALIVED_DELAY = Duration.ofSeconds(5);
    /** The most rounds a schedule may have, so that an announcement always ends. */
    public static final int MAX_ROUNDS = 1_000;
    /** The latest a round may be planned. */
    public static final Duration MAX_SPAN = Duration.ofHours(1);

    private static final Schedule QEMU = qemu(DEFAULT_ROUNDS, DEFAULT_INITIAL, DEFAULT_STEP, DEFAULT_MAX);

    private final List<Duration> offsets;

    private Schedule(List<Duration> offsets) {
        if (offsets.isEmpty()) {
            throw new IllegalArgumentException("a schedule needs at least one round");
        }
        if (offsets.size() > MAX_ROUNDS) {
            throw new IllegalArgumentException("too many rounds: " + offsets.size() + " > " + MAX_ROUNDS);
        }
        if (offsets.get(offsets.size() - 1).compareTo(MAX_SPAN) > 0) {
            throw new IllegalArgumentException("the last round would leave after " + offsets.get(offsets.size() - 1)
                    + ", later than " + MAX_SPAN);
        }
        this.offsets = List.copyOf(offsets);
    }

    /** QEMU's default: 5 rounds at 0, 50, 200, 450 and 800 ms. */
    public static Schedule qemu() {
        return QEMU;
    }

    /**
     * QEMU's schedule: {@code rounds} rounds; the gap after round {@code n} (from 0) is
     * {@code min(initial + n * step, max)}.
     *
     * @throws IllegalArgumentException for rounds below 1, negative durations, or max below initial
     */
    public static Schedule qemu(int rounds, Duration initial, Duration step, Duration max) {
        requireRounds(rounds);
        requireNonNegative(initial, "initial");
        requireNonNegative(step, "step");
        requireNonNegative(max, "max");
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max (" + max.toMillis() + "ms) is below initial (" + initial.toMillis() + "ms)");
        }
        List<Duration> offsets = new ArrayList<>(rounds);
        Duration at = Duration.ZERO;
        for (int n = 0; n < rounds; n++) {
            offsets.add(at);
            Duration gap = initial.plus(step.multipliedBy(n));
            at = at.plus(gap.compareTo(max) > 0 ? max : gap);
        }
        return new Schedule(offsets);
    }

    /**
     * keepalived's schedule: {@code repeat} rounds back to back at once, {@code repeat} more after
     * {@code delay} (none when {@code delay} is zero), then {@code refreshes} single rounds every {@code refresh}.
     */
    public static Schedule keepalived(int repeat, Duration delay, int refreshes, Duration refresh) {
        requireRounds(repeat);
        requireNonNegative(delay, "delay");
        requireNonNegative(refresh, "refresh");
        if (refreshes < 0) {
            throw new IllegalArgumentException("refreshes must be >= 0, was " + refreshes);
        }
        if (refreshes > 0 && refresh.isZero()) {
            throw new IllegalArgumentException("refresh rounds need a refresh interval above zero");
        }
        List<Duration> offsets = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            offsets.add(Duration.ZERO);
        }
        Duration last = Duration.ZERO;
        if (!delay.isZero()) {
            for (int i = 0; i < repeat; i++) {
                offsets.add(delay);
            }
            last = delay;
        }
        for (int i = 1; i <= refreshes; i++) {
            offsets.add(last.plus(refresh.multipliedBy(i)));
        }
        return new Schedule(offsets);
    }

    /** keepalived's defaults: 5 rounds now and 5 more after 5 s, no refresh. */
    public static Schedule keepalived() {
        return keepalived(DEFAULT_KEEPALIVED_REPEAT, DEFAULT_KEEPALIVED_DELAY, 0, Duration.ZERO);
    }

    /** A single round, now. */
    public static Schedule once() {
        return new Schedule(List.of(Duration.ZERO));
    }

    /** A schedule of these offsets from the first round, which must start at zero and never decrease. */
    public static Schedule ofOffsets(List<Duration> offsets) {
        Objects.requireNonNull(offsets, "offsets");
        Duration previous = Duration.ZERO;
        for (int i = 0; i < offsets.size(); i++) {
            Duration offset = Objects.requireNonNull(offsets.get(i), "offset");
            if (i == 0 && !offset.isZero()) {
                throw new IllegalArgumentException("the first round leaves at offset 0, not " + offset);
            }
            if (offset.compareTo(previous) < 0) {
                throw new IllegalArgumentException("round " + i + " (" + offset + ") is planned before round " + (i - 1));
            }
            previous = offset;
        }
        return new Schedule(offsets);
    }

    /** When each round leaves, from the first. */
    public List<Duration> offsets() {
        return offsets;
    }

    public int rounds() {
        return offsets.size();
    }

    /** When the last round leaves. */
    public Duration span() {
        return offsets.get(offsets.size() - 1);
    }

    private static void requireRounds(int rounds) {
        if (rounds < 1 || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException("rounds must be 1.." + MAX_ROUNDS + ", was " + rounds);
        }
    }

    private static void requireNonNegative(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + duration);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schedule other && offsets.equals(other.offsets);
    }

    @Override
    public int hashCode() {
        return offsets.hashCode();
    }

    @Override
    public String toString() {
        return "Schedule" + offsets.stream().map(d -> d.toMillis() + "ms").toList();
    }
}
