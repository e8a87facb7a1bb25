package io.cutover.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * How a migration is run, immutable. Every option has a documented default; build with {@link #builder()}.
 */
public final class MigrationOptions {
    /** Longest acceptable blackout, as in QEMU: {@value #DEFAULT_DOWNTIME_LIMIT_MS} ms. */
    public static final long DEFAULT_DOWNTIME_LIMIT_MS = 300;
    /** Downtime steps (Nova): 1 means the limit holds from the start. */
    public static final int DEFAULT_DOWNTIME_STEPS = 1;
    /**
     * Time between two downtime steps per GiB of guest memory, as Nova's {@code live_migration_downtime_delay}:
     * {@value #DEFAULT_DOWNTIME_STEP_DELAY_MS} ms.
     */
    public static final long DEFAULT_DOWNTIME_STEP_DELAY_MS = 2_000;
    /** Nova counts a guest of less memory as this many GiB when it spaces the downtime steps: {@value}. */
    public static final int DOWNTIME_STEP_MIN_GIB = 2;
    /** Fallback bound: pre-copy rounds before a forced switchover. */
    public static final int DEFAULT_MAX_ROUNDS = 30;
    /** Fallback bound: bytes sent, as a multiple of the guest's memory, before a forced switchover. */
    public static final double DEFAULT_MAX_BYTES_FACTOR = 3.0;
    /** Bandwidth cap in bytes/s; 0 means none. */
    public static final long DEFAULT_MAX_BANDWIDTH = 0;
    /** Dynamic rate limiting (Clark et al.): first round's rate, bytes/s (100 Mbit/s). */
    public static final long DEFAULT_MIN_BANDWIDTH = 12_500_000;
    /** Dynamic rate limiting: added to the observed dirty rate for the next round, bytes/s (50 Mbit/s). */
    public static final long DEFAULT_RATE_STEP = 6_250_000;
    /** Auto-converge's first throttle, percent (QEMU's cpu-throttle-initial). */
    public static final int THROTTLE_INITIAL = 20;
    /** Auto-converge's throttle increment, percent (QEMU's cpu-throttle-increment). */
    public static final int THROTTLE_INCREMENT = 10;
    /** Auto-converge's highest throttle, percent. */
    public static final int THROTTLE_MAX = 99;
    /** Auto-converge throttles when the guest dirties more than this share of what a round transferred. */
    public static final double THROTTLE_TRIGGER_RATIO = 0.5;
    /** Time the whole migration may take: {@value #DEFAULT_COMPLETION_TIMEOUT_S} s. */
    public static final long DEFAULT_COMPLETION_TIMEOUT_S = 300;
    /** How long a migration may make no progress before it aborts: {@value #DEFAULT_PROGRESS_TIMEOUT_S} s. */
    public static final long DEFAULT_PROGRESS_TIMEOUT_S = 30;
    /** How long the switchover is held for listeners of PLANNED: {@value #DEFAULT_LISTENER_TIMEOUT_S} s. */
    public static final long DEFAULT_LISTENER_TIMEOUT_S = 10;
    /** How long to wait for a reply of the destination: {@value #DEFAULT_IO_TIMEOUT_S} s. */
    public static final long DEFAULT_IO_TIMEOUT_S = 10;
    /** Pages are written in batches of this many bytes. */
    public static final int DEFAULT_BATCH_BYTES = 256 * 1024;
    /** XBZRLE cache of last-sent pages: {@value #DEFAULT_XBZRLE_CACHE_BYTES} bytes (0: no deltas). */
    public static final long DEFAULT_XBZRLE_CACHE_BYTES = 0;
    /** Parallel connections (multifd): {@value #DEFAULT_CHANNELS}. */
    public static final int DEFAULT_CHANNELS = 1;
    /** Most parallel connections: {@value #MAX_CHANNELS}. */
    public static final int MAX_CHANNELS = io.cutover.migration.transport.Hello.MAX_CHANNELS;

    private final Duration downtimeLimit;
    private final int downtimeSteps;
    private final Duration downtimeStepDelay;
    private final int maxRounds;
    private final double maxBytesFactor;
    private final long maxBandwidth;
    private final boolean dynamicRate;
    private final long minBandwidth;
    private final long rateStep;
    private final boolean autoConverge;
    private final Duration completionTimeout;
    private final CompletionPolicy completionPolicy;
    private final Duration progressTimeout;
    private final boolean holdSwitchover;
    private final Duration listenerTimeout;
    private final Duration ioTimeout;
    private final Compression compression;
    private final IntegrityCheck integrity;
    private final int batchBytes;
    private final boolean postCopy;
    private final int channels;
    private final long xbzrleCacheBytes;
    private final MigrationTls tls;
    private final String secret;

    private MigrationOptions(Builder b) {
        downtimeLimit = positive(b.downtimeLimit, "downtime limit");
        if (b.downtimeSteps < 1) {
            throw new IllegalArgumentException("downtime steps must be >= 1, was " + b.downtimeSteps);
        }
        downtimeSteps = b.downtimeSteps;
        downtimeStepDelay = positive(b.downtimeStepDelay, "downtime step delay");
        if (b.maxRounds < 1) {
            throw new IllegalArgumentException("max rounds must be >= 1, was " + b.maxRounds);
        }
        maxRounds = b.maxRounds;
        if (!(b.maxBytesFactor >= 1.0)) {
            throw new IllegalArgumentException("max bytes factor must be >= 1, was " + b.maxBytesFactor);
        }
        maxBytesFactor = b.maxBytesFactor;
        if (b.maxBandwidth < 0 || b.minBandwidth <= 0 || b.rateStep < 0) {
            throw new IllegalArgumentException("bandwidths must be positive (max 0 = unlimited)");
        }
        if (b.dynamicRate && b.maxBandwidth > 0 && b.minBandwidth > b.maxBandwidth) {
            throw new IllegalArgumentException("the dynamic rate would start above the stream's cap: rate-min "
                    + b.minBandwidth + " bytes/s is more than max-bandwidth " + b.maxBandwidth + " bytes/s");
        }
        maxBandwidth = b.maxBandwidth;
        dynamicRate = b.dynamicRate;
        minBandwidth = b.minBandwidth;
        rateStep = b.rateStep;
        autoConverge = b.autoConverge;
        completionTimeout = positive(b.completionTimeout, "completion timeout");
        completionPolicy = Objects.requireNonNull(b.completionPolicy, "completion policy");
        progressTimeout = positive(b.progressTimeout, "progress timeout");
        holdSwitchover = b.holdSwitchover;
        listenerTimeout = positive(b.listenerTimeout, "listener timeout");
        ioTimeout = positive(b.ioTimeout, "I/O timeout");
        compression = Objects.requireNonNull(b.compression, "compression");
        integrity = Objects.requireNonNull(b.integrity, "integrity");
        if (b.batchBytes < 16 * 1024 || b.batchBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("batch must be 16 KiB to 16 MiB, was " + b.batchBytes);
        }
        batchBytes = b.batchBytes;
        postCopy = b.postCopy;
        if (b.channels < 1 || b.channels > MAX_CHANNELS) {
            throw new IllegalArgumentException("channels must be 1 to " + MAX_CHANNELS + ", was " + b.channels);
        }
        if (b.channels > 1 && (b.postCopy || b.completionPolicy == CompletionPolicy.POSTCOPY)) {
            throw new IllegalArgumentException("post-copy runs over one connection: channels must be 1");
        }
        channels = b.channels;
        if (b.xbzrleCacheBytes < 0) {
            throw new IllegalArgumentException("XBZRLE cache must be >= 0 bytes, was " + b.xbzrleCacheBytes);
        }
        xbzrleCacheBytes = b.xbzrleCacheBytes;
        tls = b.tls;
        secret = Objects.requireNonNull(b.secret, "secret").strip();
        if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                > io.cutover.migration.transport.Hello.MAX_SECRET) {
            throw new IllegalArgumentException("the secret must be at most "
                    + io.cutover.migration.transport.Hello.MAX_SECRET + " bytes");
        }
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
        return d;
    }

    public static MigrationOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.downtimeLimit = downtimeLimit;
        b.downtimeSteps = downtimeSteps;
        b.downtimeStepDelay = downtimeStepDelay;
        b.maxRounds = maxRounds;
        b.maxBytesFactor = maxBytesFactor;
        b.maxBandwidth = maxBandwidth;
        b.dynamicRate = dynamicRate;
        b.minBandwidth = minBandwidth;
        b.rateStep = rateStep;
        b.autoConverge = autoConverge;
        b.completionTimeout = completionTimeout;
        b.completionPolicy = completionPolicy;
        b.progressTimeout = progressTimeout;
        b.holdSwitchover = holdSwitchover;
        b.listenerTimeout = listenerTimeout;
        b.ioTimeout = ioTimeout;
        b.compression = compression;
        b.integrity = integrity;
        b.batchBytes = batchBytes;
        b.postCopy = postCopy;
        b.channels = channels;
        b.xbzrleCacheBytes = xbzrleCacheBytes;
        b.tls = tls;
        b.secret = secret;
        return b;
    }

    /** The longest acceptable blackout (the final step when downtime steps are used). */
    public Duration downtimeLimit() {
        return downtimeLimit;
    }

    /** Nova-style steps: the limit starts at {@code limit / steps} and rises by that much every step delay. */
    public int downtimeSteps() {
        return downtimeSteps;
    }

    /**
     * Time between two downtime steps per GiB of guest memory, as Nova's {@code live_migration_downtime_delay}: a
     * bigger guest takes longer to send, so its limit rises more slowly (see {@link #downtimeStepDelayFor}).
     */
    public Duration downtimeStepDelay() {
        return downtimeStepDelay;
    }

    /**
     * The time between two downtime steps for a guest of {@code guestBytes}: the delay per GiB times its memory in
     * GiB, counted as at least {@value #DOWNTIME_STEP_MIN_GIB} GiB as Nova does — so Nova's settings ramp here as
     * they do there.
     */
    public Duration downtimeStepDelayFor(long guestBytes) {
        double gib = Math.max(DOWNTIME_STEP_MIN_GIB, guestBytes / (double) (1L << 30));
        return Duration.ofNanos(Math.round(downtimeStepDelay.toNanos() * gib));
    }

    /** The downtime limit in force {@code elapsed} after the start of the migration of a guest of {@code guestBytes}. */
    public Duration downtimeLimitAt(Duration elapsed, long guestBytes) {
        if (downtimeSteps == 1) {
            return downtimeLimit;
        }
        long step = Math.min(downtimeSteps - 1, elapsed.toNanos() / downtimeStepDelayFor(guestBytes).toNanos());
        return downtimeLimit.multipliedBy(step + 1).dividedBy(downtimeSteps);
    }

    public int maxRounds() {
        return maxRounds;
    }

    public double maxBytesFactor() {
        return maxBytesFactor;
    }

    /** Bandwidth cap in bytes/s, 0 for none. */
    public long maxBandwidth() {
        return maxBandwidth;
    }

    /** Whether Clark's dynamic rate limiting is on. */
    public boolean dynamicRate() {
        return dynamicRate;
    }

    /** Dynamic rate limiting: the first round's rate and the lowest of any round, bytes/s (the cap wins over it). */
    public long minBandwidth() {
        return minBandwidth;
    }

    /** Dynamic rate limiting: what a round's rate adds to the dirty rate of the round before, bytes/s. */
    public long rateStep() {
        return rateStep;
    }

    /** Whether the guest is throttled when it dirties memory faster than it can be sent. */
    public boolean autoConverge() {
        return autoConverge;
    }

    public Duration completionTimeout() {
        return completionTimeout;
    }

    public CompletionPolicy completionPolicy() {
        return completionPolicy;
    }

    /**
     * How long the migration may make no progress before it aborts (before commitment the guest runs on at the
     * source): no new low of the remaining bytes from round to round, or, within a round, no byte taken by the
     * destination — a destination that accepts the connection and stops reading cannot hold the source for ever.
     * Waits for a connection or an answer end at the shorter of this and {@link #ioTimeout()}; a stall fails the
     * migration with a {@link MigrationStalledException}. Default {@value #DEFAULT_PROGRESS_TIMEOUT_S} s.
     */
    public Duration progressTimeout() {
        return progressTimeout;
    }

    /** Whether the guest is paused only once the listeners of PLANNED have completed. */
    public boolean holdSwitchover() {
        return holdSwitchover;
    }

    public Duration listenerTimeout() {
        return listenerTimeout;
    }

    /** How long to wait for a connection or a reply of the destination (at most the progress timeout). */
    public Duration ioTimeout() {
        return ioTimeout;
    }

    public Compression compression() {
        return compression;
    }

    public IntegrityCheck integrity() {
        return integrity;
    }

    public int batchBytes() {
        return batchBytes;
    }

    /**
     * Whether a migration that does not converge (a fallback bound, or the completion timeout with policy
     * {@link CompletionPolicy#PAUSE}; policy {@link CompletionPolicy#POSTCOPY} does so at the timeout without it)
     * switches to post-copy — the destination resumes at once and fetches
     * missing pages on demand — rather than finishing with a long stop-and-copy. The guest must support it.
     */
    public boolean postCopy() {
        return postCopy;
    }

    /**
     * Parallel TCP connections (like QEMU's multifd): pages are sharded over them by bitmap word (64 pages),
     * each sent by its own thread; each connection has TLS when TLS is on; the destination commits only when
     * every connection has delivered. Default {@value #DEFAULT_CHANNELS}.
     */
    public int channels() {
        return channels;
    }

    /**
     * Bytes of the XBZRLE cache (0: off, the default): the last-sent version of pages, so that a page sent again
     * goes as its XOR run-length delta when that is shorter than the page. Split between the connections.
     */
    public long xbzrleCacheBytes() {
        return xbzrleCacheBytes;
    }

    /** Mutual TLS for the migration stream, or {@code null} for plain TCP (default). */
    public MigrationTls tls() {
        return tls;
    }

    /**
     * The secret the destination expects this migration with ({@link MigrationTarget#expect}), presented in every
     * HELLO and RESOLVE; empty (the default) presents none, which a destination refuses.
     */
    public String secret() {
        return secret;
    }

    /** Builds {@link MigrationOptions}; every setter has the default of the matching {@code DEFAULT_*}. */
    public static final class Builder {
        private Duration downtimeLimit = Duration.ofMillis(DEFAULT_DOWNTIME_LIMIT_MS);
        private int downtimeSteps = DEFAULT_DOWNTIME_STEPS;
        private Duration downtimeStepDelay = Duration.ofMillis(DEFAULT_DOWNTIME_STEP_DELAY_MS);
        private int maxRounds = DEFAULT_MAX_ROUNDS;
        private double maxBytesFactor = DEFAULT_MAX_BYTES_FACTOR;
        private long maxBandwidth = DEFAULT_MAX_BANDWIDTH;
        private boolean dynamicRate;
        private long minBandwidth = DEFAULT_MIN_BANDWIDTH;
        private long rateStep = DEFAULT_RATE_STEP;
        private boolean autoConverge;
        private Duration completionTimeout = Duration.ofSeconds(DEFAULT_COMPLETION_TIMEOUT_S);
        private CompletionPolicy completionPolicy = CompletionPolicy.ABORT;
        private Duration progressTimeout = Duration.ofSeconds(DEFAULT_PROGRESS_TIMEOUT_S);
        private boolean holdSwitchover = true;
        private Duration listenerTimeout = Duration.ofSeconds(DEFAULT_LISTENER_TIMEOUT_S);
        private Duration ioTimeout = Duration.ofSeconds(DEFAULT_IO_TIMEOUT_S);
        private Compression compression = Compression.NONE;
        private IntegrityCheck integrity = IntegrityCheck.SENT_PAGES;
        private int batchBytes = DEFAULT_BATCH_BYTES;
        private boolean postCopy;
        private int channels = DEFAULT_CHANNELS;
        private long xbzrleCacheBytes = DEFAULT_XBZRLE_CACHE_BYTES;
        private MigrationTls tls;
        private String secret = "";

        private Builder() {
        }

        public Builder downtimeLimit(Duration v) {
            downtimeLimit = v;
            return this;
        }

        /** Nova's steps: {@code delay} is per GiB of guest memory (see {@link MigrationOptions#downtimeStepDelay()}). */
        public Builder downtimeSteps(int steps, Duration delay) {
            return downtimeSteps(steps).downtimeStepDelay(delay);
        }

        public Builder downtimeSteps(int steps) {
            downtimeSteps = steps;
            return this;
        }

        /** Per GiB of guest memory, see {@link MigrationOptions#downtimeStepDelay()}. */
        public Builder downtimeStepDelay(Duration delayPerGiB) {
            downtimeStepDelay = delayPerGiB;
            return this;
        }

        public Builder maxRounds(int v) {
            maxRounds = v;
            return this;
        }

        public Builder maxBytesFactor(double v) {
            maxBytesFactor = v;
            return this;
        }

        public Builder maxBandwidth(long bytesPerSecond) {
            maxBandwidth = bytesPerSecond;
            return this;
        }

        /** Clark's dynamic rate limiting: start at {@code min}, then the dirty rate plus {@code step}. */
        public Builder dynamicRate(long min, long step) {
            return dynamicRate(true).minBandwidth(min).rateStep(step);
        }

        /** Clark's dynamic rate limiting with the minimum and step set apart (defaults: the {@code DEFAULT_*}). */
        public Builder dynamicRate(boolean v) {
            dynamicRate = v;
            return this;
        }

        public Builder minBandwidth(long bytesPerSecond) {
            minBandwidth = bytesPerSecond;
            return this;
        }

        public Builder rateStep(long bytesPerSecond) {
            rateStep = bytesPerSecond;
            return this;
        }

        public Builder autoConverge(boolean v) {
            autoConverge = v;
            return this;
        }

        public Builder completionTimeout(Duration v, CompletionPolicy policy) {
            return completionTimeout(v).completionPolicy(policy);
        }

        public Builder completionTimeout(Duration v) {
            completionTimeout = v;
            return this;
        }

        public Builder completionPolicy(CompletionPolicy v) {
            completionPolicy = v;
            return this;
        }

        public Builder progressTimeout(Duration v) {
            progressTimeout = v;
            return this;
        }

        public Builder holdSwitchover(boolean v) {
            holdSwitchover = v;
            return this;
        }

        public Builder listenerTimeout(Duration v) {
            listenerTimeout = v;
            return this;
        }

        public Builder ioTimeout(Duration v) {
            ioTimeout = v;
            return this;
        }

        public Builder compression(Compression v) {
            compression = v;
            return this;
        }

        public Builder integrity(IntegrityCheck v) {
            integrity = v;
            return this;
        }

        public Builder batchBytes(int v) {
            batchBytes = v;
            return this;
        }

        public Builder tls(MigrationTls v) {
            tls = v;
            return this;
        }

        /** See {@link MigrationOptions#secret()}. */
        public Builder secret(String v) {
            secret = v;
            return this;
        }

        public Builder postCopy(boolean v) {
            postCopy = v;
            return this;
        }

        public Builder xbzrleCache(long bytes) {
            xbzrleCacheBytes = bytes;
            return this;
        }

        public Builder channels(int v) {
            channels = v;
            return this;
        }

        public MigrationOptions build() {
            return new MigrationOptions(this);
        }
    }
}
