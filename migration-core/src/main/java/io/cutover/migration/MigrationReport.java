package io.cutover.migration;

import io.cutover.api.CutoverEvent;

import java.util.List;

/**
 * How a migration ended.
 *
 * @param progress        the last progress snapshot (downtime measured pause → activation acknowledged)
 * @param reason          why pre-copy ended, or {@code null} if it never did
 * @param failure         what went wrong, or {@code null}
 * @param events          the events raised, in order
 * @param integrity       how the memory was verified
 * @param verifiedDigest  the whole-memory digest both sides agreed on (0 if not verified)
 * @param postCopy        whether the migration finished in post-copy (the guest resumed at the destination
 *                        before all its pages had arrived)
 * @param postCopyFaults  pages the destination fetched on demand during post-copy
 */
public record MigrationReport(MigrationProgress progress, SwitchoverReason reason, String failure,
                             List<CutoverEvent> events, IntegrityCheck integrity, long verifiedDigest,
                             boolean postCopy, long postCopyFaults) {

    public MigrationReport {
        events = List.copyOf(events);
    }

    /** Whether the guest now runs at the destination. */
    public boolean succeeded() {
        return progress.state() == MigrationState.COMPLETED;
    }

    /** As JSON: the progress figures, the outcome, the switchover reason and the event timeline. */
    public String toJson() {
        StringBuilder out = new StringBuilder(512);
        out.append("{\"outcome\":\"").append(progress.state()).append('"')
                .append(",\"switchoverReason\":").append(reason == null ? "null" : "\"" + reason + "\"")
                .append(",\"converged\":").append(reason != null && reason.converged())
                .append(",\"mode\":\"").append(postCopy ? "post-copy" : "pre-copy").append('"')
                .append(",\"postCopyFaults\":").append(postCopyFaults)
                .append(",\"failure\":").append(failure == null ? "null" : "\"" + Json.escape(failure) + "\"")
                .append(",\"integrity\":\"").append(integrity).append('"')
                .append(",\"verifiedDigest\":\"").append(Long.toHexString(verifiedDigest)).append('"')
                .append(",\"progress\":").append(progress.toJson())
                .append(",\"events\":[");
        long start = events.isEmpty() ? 0 : events.get(0).nanoTime();
        for (int i = 0; i < events.size(); i++) {
            CutoverEvent e = events.get(i);
            out.append(i == 0 ? "" : ",").append("{\"stage\":\"").append(e.stage()).append('"')
                    .append(",\"round\":").append(e.round())
                    .append(",\"atMs\":").append(Json.number((e.nanoTime() - start) / 1e6)).append('}');
        }
        return out.append("]}").toString();
    }
}
