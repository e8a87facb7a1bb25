package io.cutover.api;

/**
 * The stages of a cutover, after Clark et al.: what the migration is doing when an event is raised.
 */
public enum CutoverStage {
    /** A target host has been chosen; nothing has moved yet. */
    PLANNED,
    /** The destination has reserved the guest's resources. */
    RESERVED,
    /** One round of iterative pre-copy of dirty pages; {@link CutoverEvent#round()} says which. */
    PRECOPY,
    /** The guest is paused at the source: the blackout begins. */
    SWITCHOVER,
    /** The destination has verified the state and acknowledged; the source may no longer resume. */
    COMMITTED,
    /** The guest runs at the destination: the blackout ends. */
    ACTIVATED,
    /** The source is being drained of traffic still addressed to it (the brownout). */
    DRAINING,
    /** Everything about the old location has been cleaned up. */
    COMPLETED,
    /**
     * As {@link #COMPLETED}, but the guest was not heard at its new place: asked there (an ARP or neighbour probe at
     * its port), it did not answer. The move is done and cannot be undone; the guest needs a look.
     */
    UNVERIFIED,
    /** The migration failed; the guest runs where it ran before. */
    FAILED,
    /** The steps already taken have been undone in reverse. */
    ROLLED_BACK;

    /** Whether no further event follows this one. */
    public boolean isTerminal() {
        return this == COMPLETED || this == UNVERIFIED || this == FAILED || this == ROLLED_BACK;
    }
}
