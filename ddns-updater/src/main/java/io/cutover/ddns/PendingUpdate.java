package io.cutover.ddns;

import java.time.Instant;
import java.util.List;

/**
 * An update written to the journal and not yet answered by the server. It is replayed after a restart;
 * its prerequisites make a second delivery harmless.
 *
 * @param id      journal id, increasing
 * @param created when it was queued
 * @param zone    the zone, or {@code null} when it is found (SOA query) only when the update is sent
 * @param owner   the ownership TXT required at each name, or {@code null}
 * @param changes the compare-and-swaps, applied together in one UPDATE message
 */
public record PendingUpdate(long id, Instant created, String zone, String owner, List<RrsetChange> changes) {
    public PendingUpdate {
        changes = List.copyOf(changes);
    }
}
