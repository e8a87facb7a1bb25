package io.cutover.tunnel;

import io.cutover.support.Durations;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * When a move's tunnel ends after activation. The brownout lasts until the clients have moved: a client reaches the
 * old address until its resolver has expired the old record, and a busy flow keeps using it after that. So the
 * tunnel forwards until
 * <ul>
 *   <li>{@link Rule#DNS_AND_IDLE}: every resolver that could hold the old address has expired it ({@link DnsChange})
 *       <em>and</em> no matching traffic passed for {@code idle}; or</li>
 *   <li>{@link Rule#HARD_MAXIMUM}: {@code hardMax} after activation, whatever the traffic and DNS say.</li>
 * </ul>
 * A move no DNS rule applies to (a LAN move: the VM keeps its address) ends on {@link Rule#IDLE} alone, or at the hard
 * maximum. Idleness alone never ends a move whose DNS rule still holds: a resolver may hand out the old address to a
 * new client long after the last one went quiet.
 *
 * @param idle    how long without matching traffic counts as idle (default 30 s)
 * @param hardMax how long after activation the move ends anyway (default 10 min)
 * @param dnsTtl  the DNS rule of a move registered without the agent: the TTL counted from its DRAINING event (the
 *                DNS switch), for a DRAINING event that brings no {@link DnsChange}; {@code null} = none. A move with
 *                it does not end on idleness before its DRAINING event
 */
public record DrainPolicy(Duration idle, Duration hardMax, Duration dnsTtl) {
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_HARD_MAX = Duration.ofMinutes(10);
    public static final DrainPolicy DEFAULT = new DrainPolicy(DEFAULT_IDLE, DEFAULT_HARD_MAX, null);
    /** What {@link #due} takes for a DNS rule that applies but whose expiry is not known yet (no switch seen). */
    public static final Duration DNS_EXPIRY_UNKNOWN = ChronoUnit.FOREVER.getDuration();

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

    /** Which rule ended a drain; its {@link #label()} is how the move's JSON, logs and the agent's timeline say it. */
    public enum Rule {
        /** Every resolver has expired the old address and the tunnel was idle for the idle period. */
        DNS_AND_IDLE("dns-and-idle"),
        /** No DNS rule applies (a LAN move) and the tunnel was idle for the idle period. */
        IDLE("idle"),
        /** The hard maximum after activation passed. */
        HARD_MAXIMUM("hard-maximum");

        private final String label;

        Rule(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * Which rule ends the drain now, or empty while the move forwards on.
     *
     * @param forwarding  how long since the move was activated
     * @param quiet       how long since matching traffic last passed
     * @param untilDnsExpiry how long until every resolver has expired the old address (zero or negative: they have),
     *                    {@link #DNS_EXPIRY_UNKNOWN} while it is not known; {@code null} when no DNS rule applies
     */
    public Optional<Rule> due(Duration forwarding, Duration quiet, Duration untilDnsExpiry) {
        if (forwarding.compareTo(hardMax) >= 0) {
            return Optional.of(Rule.HARD_MAXIMUM);
        }
        if (quiet.compareTo(idle) < 0) {
            return Optional.empty();
        }
        if (untilDnsExpiry == null) {
            return Optional.of(Rule.IDLE);
        }
        return untilDnsExpiry.isNegative() || untilDnsExpiry.isZero() ? Optional.of(Rule.DNS_AND_IDLE) : Optional.empty();
    }

    /**
     * What a WAN move's DNS steps did, for the DNS rule: the name served the old address with {@code originalTtl} until
     * {@code loweredAt}, then with {@code loweredTtl} until {@code switchedAt}. A resolver may hold the old address
     * until the later of {@code loweredAt + originalTtl} (fetched just before the lowering) and {@code switchedAt +
     * loweredTtl} (fetched just before the switch). Either pair may be missing: without the lowering only the switch
     * counts (the TTL was not lowered, {@code loweredTtl} is then the TTL served at the switch); without the switch
     * (not done yet, or queued while the server does not answer) the expiry is not known and only the hard maximum
     * ends the move.
     *
     * @param originalTtl the TTL before the move, or {@code null}
     * @param loweredAt   when it was lowered (this host's clock), or {@code null}
     * @param loweredTtl  the TTL served when the address was switched, or {@code null}
     * @param switchedAt  when the address was switched, or {@code null}
     */
    public record DnsChange(Duration originalTtl, Instant loweredAt, Duration loweredTtl, Instant switchedAt) {
        /** The fields {@link #fields()} and {@link #of} know, in their order. */
        public static final List<String> FIELDS = List.of("originalTtl", "loweredAt", "loweredTtl", "switchedAt");

        public DnsChange {
            if ((originalTtl == null) != (loweredAt == null)) {
                throw new IllegalArgumentException("dns: originalTtl and loweredAt go together");
            }
            if ((loweredTtl == null) != (switchedAt == null)) {
                throw new IllegalArgumentException("dns: loweredTtl and switchedAt go together");
            }
            if (originalTtl != null && originalTtl.isNegative()) {
                throw new IllegalArgumentException("dns: originalTtl must be >= 0, was " + originalTtl);
            }
            if (loweredTtl != null && loweredTtl.isNegative()) {
                throw new IllegalArgumentException("dns: loweredTtl must be >= 0, was " + loweredTtl);
            }
            if (loweredAt != null && switchedAt != null && switchedAt.isBefore(loweredAt)) {
                throw new IllegalArgumentException("dns: switchedAt " + switchedAt + " is before loweredAt " + loweredAt);
            }
        }

        /**
         * A change from its fields as the tunnel daemon's API takes them ({@link #fields()}): TTLs such as {@code 300s},
         * instants such as {@code 2026-12-04T10:15:30.120Z}.
         *
         * @param where names the fields' place in error messages, such as {@code request: dns}
         * @throws IllegalArgumentException naming the field that is unknown, no duration or instant, or alone
         */
        public static DnsChange of(Map<String, String> fields, String where) {
            for (String field : fields.keySet()) {
                if (!FIELDS.contains(field)) {
                    throw new IllegalArgumentException(where + "." + field + ": unknown (expected one of " + FIELDS + ")");
                }
            }
            try {
                return new DnsChange(ttl(fields, "originalTtl", where), instant(fields, "loweredAt", where),
                        ttl(fields, "loweredTtl", where), instant(fields, "switchedAt", where));
            } catch (IllegalArgumentException e) {
                throw e.getMessage() != null && e.getMessage().startsWith(where) ? e
                        : new IllegalArgumentException(where + ": " + e.getMessage().replaceFirst("^dns: ", ""), e);
            }
        }

        /** The change's fields as {@link #of} reads them; a missing pair is left out. */
        public Map<String, String> fields() {
            Map<String, String> fields = new LinkedHashMap<>();
            if (loweredAt != null) {
                fields.put("originalTtl", text(originalTtl));
                fields.put("loweredAt", loweredAt.toString());
            }
            if (switchedAt != null) {
                fields.put("loweredTtl", text(loweredTtl));
                fields.put("switchedAt", switchedAt.toString());
            }
            return fields;
        }

        /** {@code 300s}, or {@code 1500ms} when not whole seconds: what {@link Durations#parse} reads. */
        private static String text(Duration ttl) {
            return ttl.toMillis() % 1000 == 0 ? ttl.toSeconds() + "s" : ttl.toMillis() + "ms";
        }

        private static Duration ttl(Map<String, String> fields, String field, String where) {
            String text = fields.get(field);
            try {
                return text == null ? null : Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "." + field + ": " + e.getMessage(), e);
            }
        }

        private static Instant instant(Map<String, String> fields, String field, String where) {
            String text = fields.get(field);
            try {
                return text == null ? null : Instant.parse(text.strip());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(where + "." + field + ": '" + text + "' is no instant (expected "
                        + "like 2026-12-04T10:15:30.120Z)", e);
            }
        }

        /** The TTL counted from the switch alone, as {@code dnsTtl} of a move registered without the agent says. */
        public static DnsChange switched(Duration ttl, Instant at) {
            return new DnsChange(null, null, ttl, at);
        }

        /** When every resolver has expired the old address; empty while the switch has not happened. */
        public Optional<Instant> expiry() {
            if (switchedAt == null) {
                return Optional.empty();
            }
            Instant afterSwitch = switchedAt.plus(loweredTtl);
            if (loweredAt == null) {
                return Optional.of(afterSwitch);
            }
            Instant afterLowering = loweredAt.plus(originalTtl);
            return Optional.of(afterLowering.isAfter(afterSwitch) ? afterLowering : afterSwitch);
        }
    }
}
