package io.cutover.migration;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        ObjectNode json = JsonNodeFactory.instance.objectNode()
                .put("outcome", progress.state().name())
                .put("switchoverReason", reason == null ? null : reason.name())
                .put("converged", reason != null && reason.converged())
                .put("mode", postCopy ? "post-copy" : "pre-copy")
                .put("postCopyFaults", postCopyFaults)
                .put("failure", failure)
                .put("integrity", integrity.name())
                .put("verifiedDigest", Long.toHexString(verifiedDigest));
        json.set("progress", progress.toJsonTree());
        ArrayNode timeline = json.putArray("events");
        long start = events.isEmpty() ? 0 : events.get(0).nanoTime();
        for (CutoverEvent e : events) {
            timeline.addObject()
                    .put("stage", e.stage().name())
                    .put("round", e.round())
                    .put("atMs", MigrationProgress.millis(e.nanoTime() - start));
        }
        return json.toString();
    }
}
