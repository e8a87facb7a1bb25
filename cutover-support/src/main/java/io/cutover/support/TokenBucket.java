package io.cutover.support;

/**
 * A token bucket, as routers limit the ICMP errors they send (Linux {@code icmp_ratelimit}): up to {@code burst}
 * at once, {@code perSecond} on average. What a peer may make a daemon send or do unasked is bounded with one.
 * Thread-safe.
 */
public final class TokenBucket {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    public TokenBucket(int perSecond, int burst) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** Takes a token if one is there. */
    public synchronized boolean tryTake(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - last) * perNano);
        last = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
