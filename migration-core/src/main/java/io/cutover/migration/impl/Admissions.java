package io.cutover.migration.impl;

import io.cutover.migration.MigrationTarget;
import io.cutover.migration.Refusal;
import io.cutover.migration.TargetOptions;
import io.cutover.migration.TargetStats;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A target's gatekeeping: the migrations it expects (by the SHA-256 of their secret, so a lookup compares no
 * secret), the connections and reserved bytes per peer and in all, and the refusals counted by reason.
 * Thread-safe: expectations are added from any thread, the rest happens on the target's I/O thread.
 */
final class Admissions {
    /** Expectations held at once; the oldest expired ones go first, then new ones are refused. */
    static final int MAX_EXPECTATIONS = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TargetOptions options;
    private final Map<String, Expectation> expected = new HashMap<>();
    private final Map<InetAddress, long[]> peers = new HashMap<>();
    private final Map<Refusal, AtomicLong> refused = new EnumMap<>(Refusal.class);
    private int connections;
    private int migrations;
    private long pendingBytes;

    private record Expectation(long maxGuestBytes, long expiresAtNanos, boolean standing) {
        boolean expired(long now) {
            return !standing && now - expiresAtNanos > 0;
        }
    }

    /** A refused HELLO: why, and the reason the peer is told. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final Refusal reason;

        Refused(Refusal reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    Admissions(TargetOptions options) {
        this.options = options;
        for (Refusal r : Refusal.values()) {
            refused.put(r, new AtomicLong());
        }
    }

    synchronized String expect(long maxGuestBytes, Duration validFor) {
        if (maxGuestBytes < 1 || validFor.isNegative() || validFor.isZero()) {
            throw new IllegalArgumentException("an expectation needs a positive size and validity");
        }
        long now = System.nanoTime();
        expected.values().removeIf(e -> e.expired(now));
        if (expected.size() >= MAX_EXPECTATIONS) {
            throw new IllegalStateException("already " + MAX_EXPECTATIONS + " migrations expected");
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String secret = HexFormat.of().formatHex(raw);
        expected.put(hash(secret), new Expectation(maxGuestBytes, now + validFor.toNanos(), false));
        return secret;
    }

    synchronized void admit(String secret, long maxGuestBytes) {
        if (secret == null || secret.strip().length() < MigrationTarget.MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("a secret must have at least " + MigrationTarget.MIN_SECRET_LENGTH
                    + " characters");
        }
        if (maxGuestBytes < 1) {
            throw new IllegalArgumentException("an expectation needs a positive size");
        }
        expected.put(hash(secret.strip()), new Expectation(maxGuestBytes, 0, true));
    }

    synchronized boolean withdraw(String secret) {
        return secret != null && expected.remove(hash(secret.strip())) != null;
    }

    /** Counts a new connection from {@code peer}; false (and counted as refused) if a limit is reached. */
    synchronized boolean connected(InetAddress peer) {
        long[] p = peers.computeIfAbsent(peer, k -> new long[2]);
        if (connections >= options.maxConnections() || p[0] >= options.maxPeerConnections()) {
            forget(peer, p);
            count(Refusal.CONNECTION_LIMIT);
            return false;
        }
        connections++;
        p[0]++;
        return true;
    }

    synchronized void disconnected(InetAddress peer) {
        long[] p = peers.get(peer);
        if (p != null) {
            connections--;
            p[0]--;
            forget(peer, p);
        }
    }

    /**
     * Admits a control connection's HELLO: its secret is expected (a one-time secret is spent now), its guest fits
     * what was expected and the target's limits. Returns the secret's hash, which the migration's other connections
     * and RESOLVE must match.
     *
     * @throws Refused why not; nothing is reserved then
     */
    synchronized String admit(String secret, long guestBytes, InetAddress peer) throws Refused {
        String key = hash(secret);
        Expectation e = secret.isEmpty() ? null : expected.get(key);
        if (e == null || e.expired(System.nanoTime())) {
            if (e != null) {
                expected.remove(key);
            }
            throw new Refused(Refusal.UNEXPECTED, "not expected here: " + (secret.isEmpty() ? "no secret presented"
                    : "unknown, used or expired secret"));
        }
        if (guestBytes > e.maxGuestBytes() || guestBytes > options.maxGuestBytes()) {
            throw new Refused(Refusal.TOO_LARGE, "a guest of " + guestBytes + " bytes is larger than expected ("
                    + Math.min(e.maxGuestBytes(), options.maxGuestBytes()) + ")");
        }
        long[] p = peers.computeIfAbsent(peer, k -> new long[2]);
        if (migrations >= options.maxMigrations() || pendingBytes + guestBytes > options.maxPendingBytes()
                || p[1] + guestBytes > options.maxPeerPendingBytes()) {
            forget(peer, p);
            throw new Refused(Refusal.BUSY, "busy: " + migrations + " migrations in progress reserving "
                    + pendingBytes + " bytes");
        }
        if (!e.standing()) {
            expected.remove(key);
        }
        migrations++;
        pendingBytes += guestBytes;
        p[1] += guestBytes;
        return key;
    }

    /** A migration admitted with {@code guestBytes} for {@code peer} was activated or discarded. */
    synchronized void ended(long guestBytes, InetAddress peer) {
        migrations--;
        pendingBytes -= guestBytes;
        long[] p = peers.get(peer);
        if (p != null) {
            p[1] -= guestBytes;
            forget(peer, p);
        }
    }

    private void forget(InetAddress peer, long[] p) {
        if (p[0] == 0 && p[1] == 0) {
            peers.remove(peer);
        }
    }

    void count(Refusal reason) {
        refused.get(reason).incrementAndGet();
    }

    synchronized TargetStats stats() {
        long now = System.nanoTime();
        Map<Refusal, Long> counts = new EnumMap<>(Refusal.class);
        refused.forEach((r, n) -> counts.put(r, n.get()));
        return new TargetStats(connections, migrations, pendingBytes,
                (int) expected.values().stream().filter(e -> !e.expired(now)).count(), counts);
    }

    /** The hex SHA-256 of a secret: what is kept and compared. */
    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code secret} is the one whose hash is {@code key}, in constant time. */
    static boolean matches(String key, String secret) {
        return key != null && MessageDigest.isEqual(key.getBytes(StandardCharsets.US_ASCII),
                hash(secret).getBytes(StandardCharsets.US_ASCII));
    }
}
