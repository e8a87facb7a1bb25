package io.cutover.migration;

import java.time.Duration;

/**
 * How one incoming migration ended at the destination.
 *
 * @param migrationId    the source's migration id ("?" if the source never introduced itself)
 * @param descriptor     the source guest's descriptor
 * @param guest          the guest, running here, or {@code null} if the migration was discarded
 * @param failure        why it was discarded, or {@code null}
 * @param bytesReceived  bytes read from the migration stream
 * @param pagesReceived  page frames applied (data and zero)
 * @param digest         the verified whole-memory digest (0 if not verified)
 * @param duration       from the first byte to activation or discard
 * @param connections    connections that carried the migration (more than one with multifd)
 * @param lost           whether the guest was lost: it failed here after the commit or in post-copy, when the
 *                       source no longer resumes it (a discarded migration before the commit leaves it to the source)
 */
public record IncomingMigration(String migrationId, String descriptor, Guest guest, String failure,
                                long bytesReceived, long pagesReceived, long digest, Duration duration,
                                int connections, boolean lost) {

    /** Whether the guest runs here now. */
    public boolean activated() {
        return guest != null;
    }
}
