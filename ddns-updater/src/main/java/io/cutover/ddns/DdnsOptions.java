package io.cutover.ddns;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link DnsUpdater} talks to DNS. Immutable; build with {@link #builder(InetSocketAddress, TsigKey)}.
 *
 * <ul>
 *   <li>timeout per attempt: {@value #DEFAULT_TIMEOUT_MS} ms; attempts: {@value #DEFAULT_MAX_ATTEMPTS}, with an
 *       exponential backoff from {@value #DEFAULT_INITIAL_BACKOFF_MS} ms up to {@value #DEFAULT_MAX_BACKOFF_MS} ms
 *       and full jitter;</li>
 *   <li>verification on every authoritative server: on, within {@value #DEFAULT_VERIFY_TIMEOUT_MS} ms;</li>
 *   <li>messages in flight at once in {@link DnsUpdater#applyEach}: {@value #DEFAULT_MAX_IN_FLIGHT}, each carrying up
 *       to {@value #DEFAULT_MAX_BATCH} changes.</li>
 * </ul>
 */
public final class DdnsOptions {
    public static final long DEFAULT_TIMEOUT_MS = 1000;
    public static final int DEFAULT_MAX_ATTEMPTS = 6;
    public static final long DEFAULT_INITIAL_BACKOFF_MS = 100;
    public static final long DEFAULT_MAX_BACKOFF_MS = 5000;
    public static final long DEFAULT_VERIFY_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_VERIFY_INTERVAL_MS = 20;
    public static final int DEFAULT_MAX_IN_FLIGHT = 32;
    public static final int DEFAULT_MAX_BATCH = 25;
    /** The DNS port. */
    public static final int DNS_PORT = 53;

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(DEFAULT_TIMEOUT_MS);
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(DEFAULT_INITIAL_BACKOFF_MS);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMillis(DEFAULT_MAX_BACKOFF_MS);
    public static final Duration DEFAULT_VERIFY_TIMEOUT = Duration.ofMillis(DEFAULT_VERIFY_TIMEOUT_MS);
    public static final Duration DEFAULT_VERIFY_INTERVAL = Duration.ofMillis(DEFAULT_VERIFY_INTERVAL_MS);

    private final InetSocketAddress primary;
    private final TsigKey key;
    private final String zone;
    private final List<InetSocketAddress> verifyServers;
    private final boolean verify;
    private final Duration timeout;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration verifyTimeout;
    private final Duration verifyInterval;
    private final Path journalDir;
    private final String owner;
    private final int maxInFlight;
    private final int maxBatch;

    private DdnsOptions(Builder b) {
        this.primary = b.primary;
        this.key = b.key;
        this.zone = b.zone == null ? null : RrsetChange.absolute(b.zone).toString();
        this.verifyServers = List.copyOf(b.verifyServers);
        this.verify = b.verify;
        this.timeout = positive(b.timeout, "timeout");
        this.initialBackoff = positive(b.initialBackoff, "initial backoff");
        this.maxBackoff = positive(b.maxBackoff, "max backoff");
        this.verifyTimeout = positive(b.verifyTimeout, "verify timeout");
        this.verifyInterval = positive(b.verifyInterval, "verify interval");
        if (b.maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be >= 1, was " + b.maxAttempts);
        }
        if (b.maxInFlight < 1) {
            throw new IllegalArgumentException("max in flight must be >= 1, was " + b.maxInFlight);
        }
        if (b.owner != null && (b.owner.isBlank() || !b.owner.matches("[A-Za-z0-9._:-]+"))) {
            throw new IllegalArgumentException("owner id must be letters, digits, '.', '_', ':' or '-': '" + b.owner + "'");
        }
        this.maxAttempts = b.maxAttempts;
        this.maxInFlight = b.maxInFlight;
        if (b.maxBatch < 1 || b.maxBatch > 500) {
            throw new IllegalArgumentException("max batch must be between 1 and 500, was " + b.maxBatch);
        }
        this.maxBatch = b.maxBatch;
        this.journalDir = b.journalDir;
        this.owner = b.owner;
    }

    /** Options for updates sent to {@code primary}, signed with {@code key}. */
    public static Builder builder(InetSocketAddress primary, TsigKey key) {
        return new Builder(primary, key);
    }

    /** The server that receives updates (the zone's primary). */
    public InetSocketAddress primary() {
        return primary;
    }

    public TsigKey key() {
        return key;
    }

    /** The zone to update, or {@code null} to find it with a SOA query. */
    public String zone() {
        return zone;
    }

    /** The servers to verify on; empty means the zone's NS set. */
    public List<InetSocketAddress> verifyServers() {
        return verifyServers;
    }

    public boolean verify() {
        return verify;
    }

    public Duration timeout() {
        return timeout;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public Duration verifyTimeout() {
        return verifyTimeout;
    }

    public Duration verifyInterval() {
        return verifyInterval;
    }

    /** Where the journal of pending updates lives, or {@code null} for none (nothing survives a crash). */
    public Path journalDir() {
        return journalDir;
    }

    /** Our owner id for ownership TXT records (external-dns style), or {@code null} to not check ownership. */
    public String owner() {
        return owner;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    /** Changes carried together in one UPDATE message by {@link DnsUpdater#applyEach}. */
    public int maxBatch() {
        return maxBatch;
    }

    /** The text of our ownership TXT record, or {@code null} without an owner id. */
    public String ownerTxt() {
        return ownerTxt(owner);
    }

    /** The ownership TXT data (external-dns style) for {@code owner}, or {@code null} when it is null. */
    public static String ownerTxt(String owner) {
        return owner == null ? null : "\"heritage=cutover,cutover/owner=" + owner + "\"";
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
        return d;
    }

    /** Builds {@link DdnsOptions}; unset values take the {@code DEFAULT_*} constants. */
    public static final class Builder {
        private final InetSocketAddress primary;
        private final TsigKey key;
        private String zone;
        private final List<InetSocketAddress> verifyServers = new ArrayList<>();
        private boolean verify = true;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Duration verifyTimeout = DEFAULT_VERIFY_TIMEOUT;
        private Duration verifyInterval = DEFAULT_VERIFY_INTERVAL;
        private Path journalDir;
        private String owner;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private int maxBatch = DEFAULT_MAX_BATCH;

        private Builder(InetSocketAddress primary, TsigKey key) {
            this.primary = Objects.requireNonNull(primary, "primary");
            this.key = Objects.requireNonNull(key, "key");
        }

        public Builder zone(String zone) {
            this.zone = zone;
            return this;
        }

        public Builder verifyServers(List<InetSocketAddress> servers) {
            verifyServers.clear();
            verifyServers.addAll(servers);
            return this;
        }

        public Builder verify(boolean verify) {
            this.verify = verify;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        public Builder verifyTimeout(Duration verifyTimeout) {
            this.verifyTimeout = verifyTimeout;
            return this;
        }

        public Builder verifyInterval(Duration verifyInterval) {
            this.verifyInterval = verifyInterval;
            return this;
        }

        public Builder journalDir(Path journalDir) {
            this.journalDir = journalDir;
            return this;
        }

        public Builder owner(String owner) {
            this.owner = owner;
            return this;
        }

        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        public DdnsOptions build() {
            return new DdnsOptions(this);
        }
    }
}
