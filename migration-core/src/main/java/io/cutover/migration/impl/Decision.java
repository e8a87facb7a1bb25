package io.cutover.migration.impl;

import io.cutover.migration.SwitchoverReason;

/**
 * What to do after a pre-copy round.
 *
 * @param action what
 * @param reason why the switchover, for {@link Action#SWITCHOVER}
 * @param detail why the abort, for {@link Action#ABORT}
 */
record Decision(Action action, SwitchoverReason reason, String detail) {
    enum Action { CONTINUE, SWITCHOVER, ABORT }

    static final Decision CONTINUE = new Decision(Action.CONTINUE, null, null);

    static Decision switchover(SwitchoverReason reason) {
        return new Decision(Action.SWITCHOVER, reason, null);
    }

    static Decision abort(String detail) {
        return new Decision(Action.ABORT, null, detail);
    }
}
