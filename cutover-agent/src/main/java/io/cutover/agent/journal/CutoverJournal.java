package io.cutover.agent.journal;

import io.cutover.agent.CutoverRequest;
import io.cutover.agent.plan.PlanRecorder;

import java.util.List;
import java.util.Optional;

/**
 * Where the agent keeps each cutover's plan state ({@link CutoverDocument}), written before each step runs. In memory
 * for an agent alone ({@code impl.MemoryCutoverJournal}: gone with the agent, as before); on the replicated store for
 * agents that share one ({@code impl.StoreCutoverJournal}), where a restarted agent finds its host's unfinished
 * cutovers, and a peer those of a host whose agent's lease has expired. Every write is a compare-and-set over the
 * version the writer last wrote or read: whoever writes a document first after reading it owns the cutover.
 */
public interface CutoverJournal extends AutoCloseable {

    /**
     * Starts the document of a new cutover of this host and returns the recorder its plan writes it through.
     *
     * @throws RuntimeException when it could not be written (the cutover is then refused)
     */
    PlanRecorder open(String id, CutoverRequest request);

    /** The documents of {@code host}'s cutovers whose plan has not ended, each with the version it was read at. */
    List<Stored> unfinished(String host);

    /**
     * Takes the cutover over for {@code owner}: writes {@code owner} and {@code why} into its document if it is still at
     * the version it was read at.
     *
     * @return the recorder that goes on writing it, or empty when another wrote it first (it is theirs)
     */
    Optional<Taken> claim(Stored document, String owner, String why);

    /** The hosts that have cutover documents and whose agent holds no lease (down past it); none in memory. */
    List<String> hostsWithoutLease();

    /** Whether {@code host}'s agent holds its lease now (true in memory: this agent's own). */
    boolean leaseHeld(String host);

    /** How many document writes this agent made, over all cutovers. */
    long writes();

    /** How many times cutover {@code id}'s document was written (by whichever agent), as this agent last wrote it. */
    long writes(String id);

    /** Forgets an ended cutover's document (the orchestrator deleted the cutover). */
    void forget(String host, String id);

    @Override
    void close();

    /** A document as read, at its version. */
    record Stored(CutoverDocument document, int version) {
    }

    /** A document taken over, and the recorder that goes on writing it. */
    record Taken(CutoverDocument document, PlanRecorder recorder) {
    }
}
