package io.cutover.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the cutover asks of a hypervisor's migration.
 *
 * @param migrationId    the cutover's id, carried by every event
 * @param vm             the VM's name on the source host
 * @param destination    where the destination hypervisor takes the migration stream, in its own form
 *                       ({@code tcp:198.19.0.2:4444} for QEMU, {@code HOST:PORT} for the built-in migrator)
 * @param downtimeLimit  the longest blackout the hypervisor may plan for, or empty for its default
 * @param maxBandwidth   bytes per second the stream may use, or empty for the hypervisor's default
 * @param channels       parallel connections of the stream (QEMU's multifd), 1 for one
 * @param autoConverge   whether the guest may be slowed down when it dirties memory faster than it is sent
 * @param postCopyAllowed whether the hypervisor may switch to post-copy when pre-copy does not converge
 * @param xbzrleCache    bytes of the cache of sent pages that XBZRLE sends pages against as deltas, or empty for no
 *                       XBZRLE
 */
public record MigrationRequest(String migrationId, String vm, String destination, Optional<Duration> downtimeLimit,
                               Optional<Long> maxBandwidth, int channels, boolean autoConverge,
                               boolean postCopyAllowed, Optional<Long> xbzrleCache) {

    /** A request without XBZRLE. */
    public MigrationRequest(String migrationId, String vm, String destination, Optional<Duration> downtimeLimit,
                            Optional<Long> maxBandwidth, int channels, boolean autoConverge, boolean postCopyAllowed) {
        this(migrationId, vm, destination, downtimeLimit, maxBandwidth, channels, autoConverge, postCopyAllowed,
                Optional.empty());
    }

    public MigrationRequest {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(downtimeLimit, "downtimeLimit");
        Objects.requireNonNull(maxBandwidth, "maxBandwidth");
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, was " + channels);
        }
        downtimeLimit.filter(d -> d.isNegative() || d.isZero()).ifPresent(d -> {
            throw new IllegalArgumentException("downtimeLimit must be above zero, was " + d);
        });
        Objects.requireNonNull(xbzrleCache, "xbzrleCache");
        xbzrleCache.filter(b -> b <= 0).ifPresent(b -> {
            throw new IllegalArgumentException("xbzrleCache must be above zero, was " + b);
        });
        maxBandwidth.filter(b -> b <= 0).ifPresent(b -> {
            throw new IllegalArgumentException("maxBandwidth must be above zero, was " + b);
        });
    }
}
