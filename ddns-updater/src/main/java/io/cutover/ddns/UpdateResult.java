package io.cutover.ddns;

import java.time.Duration;
import java.util.List;

/**
 * An update the server accepted.
 *
 * @param id             its journal id
 * @param zone           the zone updated
 * @param changes        what changed
 * @param alreadyApplied the server already held the desired records (a replay of an update that had arrived)
 * @param serial         the zone's SOA serial on the primary after the update, or -1 when not read
 * @param verifiedOn     the authoritative servers that were seen serving the new records (empty without verification)
 * @param elapsed        from the call to the end of verification
 */
public record UpdateResult(long id, String zone, List<RrsetChange> changes, boolean alreadyApplied, long serial,
                           List<String> verifiedOn, Duration elapsed) {
    public UpdateResult {
        changes = List.copyOf(changes);
        verifiedOn = List.copyOf(verifiedOn);
    }
}
