package io.cutover.migration;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * A snapshot of a migration, in the spirit of QEMU's {@code query-migrate}.
 *
 * @param migrationId         the migration
 * @param state               where the state machine is
 * @param round               the current (or last) pre-copy round, from 0
 * @param totalTime           since the start
 * @param downtime            pause at the source to activation at the destination; zero until known
 * @param expectedDowntime    remaining dirty bytes / measured bandwidth
 * @param downtimeLimit       the limit in force now
 * @param transferredBytes    bytes put on the wire
 * @param remainingBytes      dirty bytes still to send
 * @param totalBytes          the guest's memory
 * @param dirtyPagesPerSecond pages dirtied per second in the last round
 * @param mbps                measured bandwidth, Mbit/s
 * @param throttlePercent     auto-converge's throttle
 * @param pagesSent           pages sent with data
 * @param zeroPages           pages sent (or skipped) as zero
 * @param compressionSavedBytes bytes saved by compression
 * @param deltaPages          pages sent again as an XBZRLE delta
 * @param deltaSavedBytes     bytes saved by XBZRLE deltas
 */
public record MigrationProgress(String migrationId, MigrationState state, int round, Duration totalTime,
                                Duration downtime, Duration expectedDowntime, Duration downtimeLimit,
                                long transferredBytes, long remainingBytes, long totalBytes,
                                long dirtyPagesPerSecond, double mbps, int throttlePercent, long pagesSent,
                                long zeroPages, long compressionSavedBytes, long deltaPages, long deltaSavedBytes) {

    /** As JSON, with durations in milliseconds. */
    public String toJson() {
        return toJsonTree().toString();
    }

    ObjectNode toJsonTree() {
        ObjectNode json = JsonNodeFactory.instance.objectNode()
                .put("migrationId", migrationId)
                .put("state", state.name())
                .put("round", round)
                .put("totalTimeMs", millis(totalTime.toNanos()))
                .put("downtimeMs", millis(downtime.toNanos()))
                .put("expectedDowntimeMs", millis(expectedDowntime.toNanos()))
                .put("downtimeLimitMs", millis(downtimeLimit.toNanos()))
                .put("transferredBytes", transferredBytes)
                .put("remainingBytes", remainingBytes)
                .put("totalBytes", totalBytes)
                .put("dirtyPagesPerSecond", dirtyPagesPerSecond);
        json.put("mbps", Double.isFinite(mbps) ? BigDecimal.valueOf(mbps).setScale(3, RoundingMode.HALF_UP) : null);
        return json.put("throttlePercent", throttlePercent)
                .put("pagesSent", pagesSent)
                .put("zeroPages", zeroPages)
                .put("compressionSavedBytes", compressionSavedBytes)
                .put("deltaPages", deltaPages)
                .put("deltaSavedBytes", deltaSavedBytes);
    }

    /** {@code nanos} in milliseconds, to the microsecond. */
    static BigDecimal millis(long nanos) {
        return BigDecimal.valueOf(nanos, 6).setScale(3, RoundingMode.HALF_UP);
    }
}
