package io.cutover.migration.guest;

/** How a synthetic guest writes its memory. */
public enum Workload {
    /** Writes nothing. */
    IDLE,
    /** Writes pages chosen uniformly at random over the whole memory. */
    UNIFORM,
    /** Writes pages chosen at random within a hot set at the start of memory. */
    HOTSET,
    /** Sweeps a region (256 MiB by default) over and over, writing every page: the worst case. */
    DIABOLICAL
}
