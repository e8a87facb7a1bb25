package io.cutover.ddns.impl;

import io.cutover.ddns.DnsTimeoutException;
import io.cutover.ddns.DnsUpdateException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.xbill.DNS.Rcode;

import java.time.Duration;

/**
 * An updater's meters: {@code cutover_dns_updates_total{outcome,rcode}} for each UPDATE message once it has its
 * outcome, {@code cutover_dns_update_seconds} (a histogram) from its first sending to that outcome (retries
 * included), and {@code cutover_dns_pending_updates}, the journal's updates the server has not answered yet. The
 * outcome is {@code applied} (NOERROR), {@code prerequisite_failed} (the compare-and-swap's prerequisite did not
 * hold: NXRRSET, YXRRSET, NXDOMAIN, YXDOMAIN), {@code refused} (any other rcode, TSIG's among them),
 * {@code unanswered} (no answer after every attempt; the update stays pending) or {@code failed} (no usable
 * answer for another reason); the rcode is its mnemonic, {@code none} without one.
 */
final class DnsMetrics {
    private final MeterRegistry registry;
    private final Timer latency;

    DnsMetrics(MeterRegistry registry, UpdateJournal journal) {
        this.registry = registry;
        latency = Timer.builder("cutover.dns.update").description("from an UPDATE's first sending to its outcome")
                .publishPercentileHistogram().register(registry);
        Gauge.builder("cutover.dns.pending.updates", journal, j -> j.pending().size())
                .description("journaled updates the server has not answered yet").register(registry);
        updates("applied", "NOERROR");
        updates("unanswered", "none");
    }

    /** The server answered with {@code rcode} after {@code took}. */
    void answered(int rcode, Duration took) {
        String outcome = rcode == Rcode.NOERROR ? "applied"
                : DefaultDnsUpdater.isPrerequisiteFailure(rcode) ? "prerequisite_failed" : "refused";
        updates(outcome, Rcode.string(rcode)).increment();
        latency.record(took);
    }

    /** The message got no usable answer: {@code cause} says why. */
    void unanswered(Throwable cause, Duration took) {
        if (cause instanceof DnsTimeoutException) {
            updates("unanswered", "none").increment();
        } else if (cause instanceof DnsUpdateException rejected && rejected.rcode() != DnsUpdateException.NO_RCODE) {
            updates("refused", rejected.rcodeName()).increment();
        } else {
            updates("failed", "none").increment();
        }
        latency.record(took);
    }

    private Counter updates(String outcome, String rcode) {
        return Counter.builder("cutover.dns.updates").tag("outcome", outcome).tag("rcode", rcode)
                .description("UPDATE messages by outcome and the server's rcode").register(registry);
    }
}
