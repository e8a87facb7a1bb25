package io.cutover.migration.impl;

import io.cutover.migration.SwitchoverReason;

import java.time.Duration;

/**
 * What to do after a pre-copy round.
 *
 * @param action what
 * @param reason why the switchover, for {@link Action#SWITCHOVER}
 * @param abort  which limit ended the migration, for {@link Action#ABORT}
 * @param detail why the abort, for {@link Action#ABORT}
 * @param limit  the limit that passed, for {@link Action#ABORT}
 */
record Decision(Action action, SwitchoverReason reason, Abort abort, String detail, Duration limit) {
    enum Action { CONTINUE, SWITCHOVER, ABORT }

    /** The limits that end a migration that does not converge. */
    enum Abort {
        /** The completion timeout passed, with policy ABORT. */
        COMPLETION_TIMEOUT,
        /** The progress watchdog: the remaining bytes reached no new low for the progress timeout. */
        NO_PROGRESS
    }

    static final Decision CONTINUE = new Decision(Action.CONTINUE, null, null, null, null);

    static Decision switchover(SwitchoverReason reason) {
        return new Decision(Action.SWITCHOVER, reason, null, null, null);
    }

    static Decision abort(Abort abort, String detail, Duration limit) {
        return new Decision(Action.ABORT, null, abort, detail, limit);
    }
}
