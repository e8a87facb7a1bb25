package io.cutover.sdn.impl;

/**
 * Where the controller keeps its desired state ({@link ModelState}): the file journal of a controller alone
 * ({@link StateJournal}) or the replicated store a controller cluster shares ({@link SharedModel}).
 */
public interface ModelStore {

    /** The state last saved, or an empty one. */
    ModelState load();

    /**
     * Saves {@code state}: the journal writes it whole, the shared store what changed since its last load or save.
     *
     * @throws io.cutover.sdn.NotMasterException when another controller wrote the state since this one read it (a
     *                                           shared store only); nothing was written
     */
    void save(ModelState state);

    /**
     * Whether other controllers share this store. A shared store's write is the fence between them: it is made, by
     * compare-and-set, before any switch is changed, and a refused write makes the controller a slave with nothing
     * changed. A journal of its own is written alongside the switches' round trip instead.
     */
    boolean shared();
}
