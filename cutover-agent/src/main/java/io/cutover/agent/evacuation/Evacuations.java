package io.cutover.agent.evacuation;

import java.util.Collection;
import java.util.NoSuchElementException;

/** The host evacuations this agent runs. */
public interface Evacuations {
    /**
     * Checks an evacuation and starts it: its first {@code parallel} cutovers begin at once, on threads of the
     * evacuation's own; returns without waiting for them. A VM whose cutover fails or is refused does not stop the
     * others.
     *
     * @throws IllegalArgumentException a field of the request is bad
     * @throws io.cutover.agent.PrecheckFailedException this agent is not the source's
     */
    Evacuation start(EvacuationRequest request);

    /** @throws NoSuchElementException unknown evacuation */
    Evacuation get(String id);

    Collection<Evacuation> list();
}
