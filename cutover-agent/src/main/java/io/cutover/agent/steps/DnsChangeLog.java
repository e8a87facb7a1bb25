package io.cutover.agent.steps;

import io.cutover.tunnel.DrainPolicy;

import java.time.Duration;
import java.time.Instant;

/**
 * What a WAN cutover's DNS steps did, for its tunnel's drain: {@code dns.lower-ttl} notes the original TTL and when it
 * lowered it, {@code dns.switch} the lowered TTL and when it switched the address; {@code tunnel.drain} hands both to
 * the tunnel, whose move then forwards until every resolver has let go of the old address ({@link DrainPolicy}).
 * A switch after a lowering that did not happen is not noted: the TTL the name had then is not known, and the move
 * drains until its hard maximum; so does one whose switch waits in the queue.
 */
public final class DnsChangeLog {
    private Duration originalTtl;
    private Instant loweredAt;
    private Duration loweredTtl;
    private Instant switchedAt;

    /** {@code dns.lower-ttl}: the name served {@code originalTtl} until {@code at}. */
    synchronized void lowered(Duration originalTtl, Instant at) {
        this.originalTtl = originalTtl;
        this.loweredAt = at;
    }

    /** {@code dns.switch}: the old address was served with {@code ttl} until {@code at}; ignored without a lowering. */
    synchronized void switched(Duration ttl, Instant at) {
        if (loweredAt != null) {
            this.loweredTtl = ttl;
            this.switchedAt = at;
        }
    }

    /** What the DNS steps did so far. */
    public synchronized DrainPolicy.DnsChange change() {
        return new DrainPolicy.DnsChange(originalTtl, loweredAt, loweredTtl, switchedAt);
    }
}
