package io.cutover.migration;

import java.util.EnumSet;
import java.util.Set;

/**
 * The migration's state machine, after Clark et al.'s stages 0–5. Each state says what it waits for; a
 * migration only moves along {@link #canMoveTo(MigrationState)}.
 */
public enum MigrationState {
    /** Stage 0: the target is chosen; connecting and announcing the guest. */
    PRE_MIGRATION(0),
    /** Stage 1: waiting for the destination to reserve a like guest. */
    RESERVATION(1),
    /** Stage 2: copying pages in rounds while the guest runs and dirties them. */
    ITERATIVE_PRECOPY(2),
    /** Stage 3: the guest is paused; the last dirty pages and the device state go across. */
    STOP_AND_COPY(3),
    /** Stage 4: waiting for the destination to verify the memory and acknowledge. */
    COMMITMENT(4),
    /** Stage 5: committed; waiting for the destination to resume the guest. */
    ACTIVATION(5),
    /**
     * Post-copy: the guest already runs at the destination, which fetches the pages it still lacks on
     * demand while the rest are pushed. A source failure now loses the guest (the known risk of post-copy).
     */
    POST_COPY(5),
    /** The guest runs at the destination; the source has released it. */
    COMPLETED(-1),
    /** The migration failed before commitment; the guest runs at the source. */
    ROLLED_BACK(-1),
    /** The migration failed after commitment; the destination owns the guest. */
    FAILED_AFTER_COMMIT(-1);

    private final int stage;

    MigrationState(int stage) {
        this.stage = stage;
    }

    /** Clark et al.'s stage number, or -1 for the end states. */
    public int stage() {
        return stage;
    }

    /** Whether nothing follows this state. */
    public boolean isTerminal() {
        return stage < 0;
    }

    /** Whether the source may no longer resume the guest. */
    public boolean isCommitted() {
        return this == ACTIVATION || this == POST_COPY || this == COMPLETED || this == FAILED_AFTER_COMMIT;
    }

    /** The states this one may move to. */
    public Set<MigrationState> next() {
        return switch (this) {
            case PRE_MIGRATION -> EnumSet.of(RESERVATION, ROLLED_BACK);
            case RESERVATION -> EnumSet.of(ITERATIVE_PRECOPY, ROLLED_BACK);
            case ITERATIVE_PRECOPY -> EnumSet.of(STOP_AND_COPY, ROLLED_BACK);
            case STOP_AND_COPY -> EnumSet.of(COMMITMENT, ROLLED_BACK);
            case COMMITMENT -> EnumSet.of(ACTIVATION, ROLLED_BACK);
            case ACTIVATION -> EnumSet.of(POST_COPY, COMPLETED, FAILED_AFTER_COMMIT);
            case POST_COPY -> EnumSet.of(COMPLETED, FAILED_AFTER_COMMIT);
            case COMPLETED, ROLLED_BACK, FAILED_AFTER_COMMIT -> EnumSet.noneOf(MigrationState.class);
        };
    }

    /** Whether {@code target} may follow this state. */
    public boolean canMoveTo(MigrationState target) {
        return next().contains(target);
    }
}
