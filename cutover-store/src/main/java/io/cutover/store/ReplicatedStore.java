package io.cutover.store;

import io.cutover.store.impl.CuratorStore;

import java.util.Optional;

/**
 * The store the controller cluster and the agents share: small documents at paths, each with a version, written only
 * by compare-and-set, and leader elections. Every member of the store holds the same documents; a write is done when
 * a quorum (two of three) has it, so the store answers while a majority of its members run and refuses (with
 * {@link StoreUnavailableException}, within the operation timeout) when they do not.
 * <p>
 * Paths are relative to the store's root ({@link StoreOptions#root()}), {@code /}-separated, such as
 * {@code vms/vm1}. Parents are made as needed and hold no document.
 */
public interface ReplicatedStore extends AutoCloseable {

    /**
     * Connects to the store and waits until a member with a quorum answers.
     *
     * @throws StoreUnavailableException when none does within the operation timeout
     */
    static ReplicatedStore connect(StoreOptions options) {
        return CuratorStore.connect(options);
    }

    /**
     * Connects as {@link #connect(StoreOptions)} does, from a thread {@code threads} makes, and makes every later call
     * of the client from that thread too: ZooKeeper's client threads are born in the network namespace of the thread
     * that makes (or, after a lost session, remakes) the connection, so a client in a lab namespace passes a factory
     * of threads in that namespace.
     */
    static ReplicatedStore connect(StoreOptions options, java.util.concurrent.ThreadFactory threads) {
        return io.cutover.store.impl.ThreadBoundStore.connect(options, threads);
    }

    /** The document at {@code path} and its version, or empty when there is none. */
    Optional<Versioned> read(String path);

    /**
     * Writes {@code data} at {@code path} if the document there is still at {@code expectedVersion}
     * ({@link Versioned#ABSENT}: if there is none yet), as one atomic step.
     *
     * @return the document's new version
     * @throws StaleVersionException     when it is not at that version; nothing was written
     * @throws StoreUnavailableException when no quorum answered in time
     */
    int write(String path, byte[] data, int expectedVersion);

    /**
     * Deletes the document at {@code path} if it is still at {@code expectedVersion}.
     *
     * @throws StaleVersionException when it is at another version or gone
     */
    void delete(String path, int expectedVersion);

    /**
     * Makes every change of {@code writes} as one atomic step (ZooKeeper's {@code multi}): all of them or, when any
     * document is not at the version its change expects, none.
     *
     * @return each document's new version, in the order of {@code writes} ({@link Versioned#ABSENT} for a delete or
     *         a check)
     * @throws StaleVersionException     naming the first document that was not at its expected version; nothing was
     *                                   written
     * @throws StoreUnavailableException when no quorum answered in time (it may or may not have been made)
     * @throws IllegalArgumentException  when {@code writes} is empty or names a path twice
     */
    java.util.List<Integer> commit(java.util.List<Write> writes);

    /**
     * The names of the documents directly under {@code path} (such as {@code vm1} for {@code vms/vm1}), sorted; empty
     * when there are none.
     *
     * @throws StoreUnavailableException when no quorum answered in time
     */
    java.util.List<String> children(String path);

    /**
     * Holds a {@link Lease} at {@code path} with {@code data}: a document that goes a session timeout after this client
     * stops talking to the store. A document left at {@code path} by an earlier session (a holder that was killed and
     * restarted) is taken over once that session has ended.
     *
     * @throws StoreUnavailableException when no quorum answered in time
     */
    Lease lease(String path, byte[] data);

    /**
     * Enters the election called {@code election} as {@code participant} (a name for people and logs, such as the
     * controller's address). Leadership is held while this client's session lives: closing the election or the
     * store, or losing the session, gives it up, and another participant takes it with a higher generation.
     */
    LeaderElection elect(String election, String participant);

    /** Leaves every election and ends the session. */
    @Override
    void close();
}
