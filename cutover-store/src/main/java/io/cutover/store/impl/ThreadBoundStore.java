package io.cutover.store.impl;

import io.cutover.store.LeaderElection;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StoreException;
import io.cutover.store.StoreOptions;
import io.cutover.store.Versioned;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * A store whose every call (the connection first) runs on one thread of its own, made by a given factory: a ZooKeeper
 * client's threads are born in the network namespace of the thread that makes, or remakes, its connection, so a
 * client for a namespace (a controller listening in the lab's fabric) makes all its calls from a thread there.
 */
public final class ThreadBoundStore implements ReplicatedStore {
    private final ExecutorService thread;
    private final ReplicatedStore store;

    private ThreadBoundStore(ExecutorService thread, ReplicatedStore store) {
        this.thread = thread;
        this.store = store;
    }

    public static ThreadBoundStore connect(StoreOptions options, ThreadFactory threads) {
        ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = threads.newThread(runnable);
            t.setName("store-client");
            t.setDaemon(true);
            return t;
        });
        try {
            return new ThreadBoundStore(thread, call(thread, () -> CuratorStore.connect(options)));
        } catch (RuntimeException e) {
            thread.shutdownNow();
            throw e;
        }
    }

    @Override
    public Optional<Versioned> read(String path) {
        return call(thread, () -> store.read(path));
    }

    @Override
    public int write(String path, byte[] data, int expectedVersion) {
        return call(thread, () -> store.write(path, data, expectedVersion));
    }

    @Override
    public void delete(String path, int expectedVersion) {
        call(thread, () -> {
            store.delete(path, expectedVersion);
            return null;
        });
    }

    @Override
    public java.util.List<Integer> commit(java.util.List<io.cutover.store.Write> writes) {
        return call(thread, () -> store.commit(writes));
    }

    @Override
    public java.util.List<String> children(String path) {
        return call(thread, () -> store.children(path));
    }

    @Override
    public io.cutover.store.Lease lease(String path, byte[] data) {
        io.cutover.store.Lease inner = call(thread, () -> store.lease(path, data));
        return new io.cutover.store.Lease() {
            @Override
            public String path() {
                return inner.path();
            }

            @Override
            public void close() {
                call(thread, () -> {
                    inner.close();
                    return null;
                });
            }
        };
    }

    @Override
    public LeaderElection elect(String election, String participant) {
        LeaderElection inner = call(thread, () -> store.elect(election, participant));
        return new LeaderElection() {
            @Override
            public String participant() {
                return inner.participant();
            }

            @Override
            public boolean isLeader() {
                return inner.isLeader();
            }

            @Override
            public OptionalLong generation() {
                return inner.generation();
            }

            @Override
            public long latestGeneration() {
                return call(thread, inner::latestGeneration);
            }

            @Override
            public OptionalLong awaitLeadership(Duration timeout) {
                return inner.awaitLeadership(timeout);
            }

            @Override
            public void close() {
                call(thread, () -> {
                    inner.close();
                    return null;
                });
            }
        };
    }

    @Override
    public void close() {
        try {
            call(thread, () -> {
                store.close();
                return null;
            });
        } finally {
            thread.shutdown();
        }
    }

    private static <T> T call(ExecutorService thread, Supplier<T> call) {
        try {
            return CompletableFuture.supplyAsync(call, thread).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new StoreException(null, "a store call failed: " + e.getCause(), e.getCause());
        }
    }
}
