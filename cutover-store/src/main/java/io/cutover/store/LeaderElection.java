package io.cutover.store;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * One participant's place in a leader election. At most one participant of an election leads at a time, as far as
 * the store's quorum sees; each new leadership gets a generation id greater than every earlier one of the election,
 * so a switch that hears from two controllers (OpenFlow 1.3 role requests carry the generation) obeys the newer.
 * <p>
 * A participant that loses touch with the store (its session suspended) stops considering itself the leader at
 * once, before the store hands leadership to another: two leaders never both believe in their leadership for long,
 * but a leader must still fence its writes with the generation.
 */
public interface LeaderElection extends AutoCloseable {

    /** The participant's name as given to {@link ReplicatedStore#elect}. */
    String participant();

    /** Whether this participant leads now. */
    boolean isLeader();

    /** The generation of this participant's current leadership, empty when it does not lead. */
    OptionalLong generation();

    /**
     * The generation of the election's latest leadership, this participant's or another's (read from the store), 0 when
     * nobody has led yet: what a participant that does not lead sends in its role requests as a slave, which a switch
     * refuses when they carry a generation older than its master's.
     *
     * @throws StoreUnavailableException when no quorum answered in time
     */
    long latestGeneration();

    /**
     * Waits up to {@code timeout} until this participant leads.
     *
     * @return its generation, or empty when another leads (or the store is unreachable) all that time
     */
    OptionalLong awaitLeadership(Duration timeout);

    /** Leaves the election (giving up leadership if held). */
    @Override
    void close();
}
