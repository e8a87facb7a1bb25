package io.cutover.agent.evacuation.impl;

import io.cutover.agent.PrecheckFailedException;
import io.cutover.agent.evacuation.Evacuation;
import io.cutover.agent.evacuation.EvacuationRequest;
import io.cutover.agent.evacuation.Evacuations;
import io.cutover.agent.evacuation.Mover;
import io.cutover.agent.plan.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The evacuations of this agent's host, each on {@code parallel} threads of its own, its cutovers run by a {@link
 * Mover}. The {@value #KEPT_ENDED} latest evacuations that ended are kept for their reports; older ones are forgotten
 * (their cutovers stay at {@code /v1/cutovers}).
 */
public final class AgentEvacuations implements Evacuations {
    private static final Logger LOG = LoggerFactory.getLogger(AgentEvacuations.class);
    static final int KEPT_ENDED = 32;

    private final String host;
    private final Mover mover;
    private final Map<String, Evacuation> evacuations = new ConcurrentHashMap<>();
    /** The evacuations' ids, oldest first; guarded by {@code this}. */
    private final List<String> started = new java.util.ArrayList<>();
    private final SecureRandom random = new SecureRandom();

    /** @param host this agent's host: the only one it evacuates */
    public AgentEvacuations(String host, Mover mover) {
        this.host = host;
        this.mover = mover;
    }

    @Override
    public Evacuation start(EvacuationRequest raw) {
        EvacuationRequest request = raw.validated();
        if (!host.equals(request.source())) {
            throw new PrecheckFailedException("this agent runs on " + host + ": evacuate " + request.source()
                    + " at its own agent, which creates the cutovers");
        }
        forgetOldEnded();
        byte[] bytes = new byte[6];
        random.nextBytes(bytes);
        EvacuationRun run = new EvacuationRun("e-" + HexFormat.of().formatHex(bytes), request, mover);
        synchronized (this) {
            evacuations.put(run.id(), run);
            started.add(run.id());
        }
        LOG.info("evacuation {}: {} VMs from {} to {}, {} at once", run.id(), request.vms().size(), request.source(),
                request.destinations(), request.parallel());
        run.start(Threads.prestarted("evacuation-" + run.id(), request.parallel()));
        return run;
    }

    /** Forgets the oldest evacuations that ended, keeping {@value #KEPT_ENDED} less one. */
    private synchronized void forgetOldEnded() {
        List<String> ended = started.stream().filter(id -> evacuations.get(id).ended()).toList();
        for (String old : ended.subList(0, Math.max(0, ended.size() - KEPT_ENDED + 1))) {
            evacuations.remove(old);
            started.remove(old);
        }
    }

    @Override
    public Evacuation get(String id) {
        Evacuation evacuation = evacuations.get(id);
        if (evacuation == null) {
            throw new NoSuchElementException("no evacuation " + id);
        }
        return evacuation;
    }

    @Override
    public Collection<Evacuation> list() {
        return evacuations.values();
    }
}
