package io.cutover.agent;

import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.migration.CutoverStage;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cutovers this agent runs, several at once (a host evacuation). Creating one runs the pre-checks
 * first — the destination differs from the source, its agent answers and reserves the memory — and then
 * the plan's PLANNED steps.
 */
public final class CutoverService {
    private final AgentConfig config;
    private final MemoryClaims claims;
    private final PeerAgents peers;
    private final StepFactory steps;
    private final Map<String, Cutover> cutovers = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public CutoverService(AgentConfig config, MemoryClaims claims, PeerAgents peers, StepFactory steps) {
        this.config = config;
        this.claims = claims;
        this.peers = peers;
        this.steps = steps;
    }

    public MemoryClaims claims() {
        return claims;
    }

    /**
     * Checks and starts a cutover.
     *
     * @throws IllegalArgumentException a field of the request is bad
     * @throws PrecheckFailedException  a pre-check failed; nothing was changed
     */
    public Cutover create(CutoverRequest raw) {
        CutoverRequest request = raw.validated();
        String here = config.host();
        if (!here.equals(request.source()) && !here.equals(request.destination())) {
            throw new PrecheckFailedException("this agent runs on " + here + ", neither the source ("
                    + request.source() + ") nor the destination (" + request.destination() + ")");
        }
        String id = "c-" + HexFormat.of().formatHex(bytes());
        CutoverPlan plan = new CutoverPlan(id, steps.steps(id, request));
        if (here.equals(request.destination())) {
            try {
                claims.claim(id, request.memoryMiB());
            } catch (MemoryClaims.InsufficientMemoryException e) {
                throw new PrecheckFailedException(e.getMessage(), e);
            }
        } else {
            peers.claimMemory(request.destination(), id, request.memoryMiB());
        }
        Cutover cutover = new Cutover(id, request, plan);
        cutovers.put(id, cutover);
        plan.advance(CutoverStage.PLANNED).whenComplete((ok, error) -> {
            if (error != null) {
                release(cutover);
            }
        });
        return cutover;
    }

    private byte[] bytes() {
        byte[] id = new byte[6];
        random.nextBytes(id);
        return id;
    }

    public Cutover get(String id) {
        Cutover cutover = cutovers.get(id);
        if (cutover == null) {
            throw new NoSuchElementException("no cutover " + id);
        }
        return cutover;
    }

    public Collection<Cutover> list() {
        return cutovers.values();
    }

    /**
     * Moves a cutover to {@code phase}, as an orchestrator's hook reports it.
     *
     * @throws NoSuchElementException unknown cutover
     * @throws IllegalStateException  the phase does not follow the cutover's stage
     */
    public CompletionStage<Void> phase(String id, Phase phase) {
        Cutover cutover = get(id);
        CompletionStage<Void> done = cutover.plan().advance(phase.stage());
        return done.whenComplete((ok, error) -> {
            if (error != null || cutover.plan().stage().isTerminal()) {
                release(cutover);
            }
        });
    }

    private void release(Cutover cutover) {
        if (config.host().equals(cutover.request().destination())) {
            claims.release(cutover.id());
        } else {
            peers.releaseMemory(cutover.request().destination(), cutover.id());
        }
    }
}
