package io.cutover.api;

/** A guest as its hypervisor on one host sees it. */
public enum GuestState {
    /** It runs here. */
    RUNNING,
    /** It is paused here: stopped by an operator, or at the switchover of a migration. */
    PAUSED,
    /** It waits here for an incoming migration and does not run yet. */
    INCOMING,
    /** It has stopped for good here: migrated away, shut down or crashed. */
    STOPPED
}
