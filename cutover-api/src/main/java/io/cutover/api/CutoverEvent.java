package io.cutover.api;

import java.util.Objects;

/**
 * One step of a cutover's timeline.
 *
 * @param migrationId the migration this event belongs to
 * @param stage       what happened
 * @param round       the pre-copy round for {@link CutoverStage#PRECOPY}, otherwise 0
 * @param nanoTime    when it happened, from {@link System#nanoTime()} (monotonic)
 */
public record CutoverEvent(String migrationId, CutoverStage stage, int round, long nanoTime) {

    public CutoverEvent {
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(stage, "stage");
        if (round < 0) {
            throw new IllegalArgumentException("round must be >= 0, was " + round);
        }
    }

    /** An event of {@code stage} raised now. */
    public static CutoverEvent now(String migrationId, CutoverStage stage) {
        return new CutoverEvent(migrationId, stage, 0, System.nanoTime());
    }
}
