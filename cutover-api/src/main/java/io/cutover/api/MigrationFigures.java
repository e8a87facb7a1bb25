package io.cutover.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A migration's figures as its hypervisor reports them (QEMU's {@code query-migrate}, the built-in migrator's
 * progress).
 *
 * @param status           the hypervisor's own word for where it is ({@code active}, {@code pre-switchover},
 *                         {@code completed}, ...)
 * @param rounds           passes over the guest's memory so far (QEMU's dirty-sync count)
 * @param transferredBytes bytes sent so far
 * @param remainingBytes   bytes still to send, as last estimated
 * @param totalBytes       the guest's memory
 * @param downtime         the blackout the hypervisor measured, once the guest runs at the destination
 */
public record MigrationFigures(String status, long rounds, long transferredBytes, long remainingBytes,
                               long totalBytes, Optional<Duration> downtime) {

    public MigrationFigures {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(downtime, "downtime");
    }
}
