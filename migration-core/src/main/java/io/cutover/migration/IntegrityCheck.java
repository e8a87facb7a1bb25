package io.cutover.migration;

/** How the destination's memory is proven equal to the source's at pause, before commitment. */
public enum IntegrityCheck {
    /**
     * Per-page CRC32C checksums of every page sent, folded into one digest that both sides keep up to date
     * as pages arrive: proves the destination holds exactly what was sent, at no cost in downtime.
     */
    SENT_PAGES,
    /**
     * Also re-reads the whole memory on both sides while the guest is paused and compares it with the
     * digest: proves that the dirty log missed nothing, at the cost of one memory scan in the downtime.
     */
    FULL_MEMORY
}
