package io.cutover.store.impl;

import io.cutover.store.LeaderElection;
import io.cutover.store.Lease;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StaleVersionException;
import io.cutover.store.StoreAuthException;
import io.cutover.store.StoreException;
import io.cutover.store.StoreOptions;
import io.cutover.store.StoreUnavailableException;
import io.cutover.store.Versioned;
import io.cutover.store.Write;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@link ReplicatedStore} on ZooKeeper through Curator: a document is a znode's data, its version the znode's data
 * version, a compare-and-set ZooKeeper's conditional {@code setData}/{@code create}. An operation retries a lost
 * connection until the operation timeout has passed (Curator's retry loop, each attempt waiting for a connection at
 * most half of it), then fails with {@link StoreUnavailableException}.
 */
public final class CuratorStore implements ReplicatedStore {
    private final CuratorFramework client;
    private final StoreOptions options;

    private CuratorStore(CuratorFramework client, StoreOptions options) {
        this.client = client;
        this.options = options;
    }

    public static CuratorStore connect(StoreOptions options) {
        int operationMs = (int) options.operationTimeout().toMillis();
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .aclProvider(DigestAcl.of(options.credential()));
        if (options.credential() != null) {
            builder.authorization("digest", DigestAcl.authorization(options.credential()));
        }
        CuratorFramework client = builder
                .connectString(options.connectString())
                .sessionTimeoutMs((int) options.sessionTimeout().toMillis())
                .connectionTimeoutMs(Math.max(1, operationMs / 2))
                .retryPolicy(new RetryUntilElapsed(operationMs, Math.max(1, Math.min(250, operationMs / 10))))
                .namespace(options.root())
                .build();
        client.start();
        try {
            if (!client.blockUntilConnected(operationMs, TimeUnit.MILLISECONDS)) {
                client.close();
                throw new StoreUnavailableException(null, "connecting to " + options.connectString(),
                        options.operationTimeout(), null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new StoreException(null, "interrupted while connecting to " + options.connectString(), e);
        }
        CuratorStore store = new CuratorStore(client, options);
        try {
            store.checkAccess();
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return store;
    }

    /**
     * Lists the root (made first, with this client's ACL, when it is not there): a store that asks for a credential
     * this client does not have, or a root this client's identity may not read (a wrong password), fails at once
     * with a {@link StoreAuthException}, not at the first document.
     */
    private void checkAccess() {
        call(null, "reading the root /" + options.root(), () -> {
            try {
                client.usingNamespace(null).create().creatingParentsIfNeeded().forPath("/" + options.root());
            } catch (KeeperException.NodeExistsException made) {
                // made by an earlier client: its ACL says whether this one may use it
            }
            return client.getChildren().forPath("/");
        });
    }

    @Override
    public Optional<Versioned> read(String path) {
        String znode = znode(path);
        return call(path, "reading " + path, () -> {
            Stat stat = new Stat();
            try {
                byte[] data = client.getData().storingStatIn(stat).forPath(znode);
                return Optional.of(new Versioned(data == null ? new byte[0] : data, stat.getVersion()));
            } catch (KeeperException.NoNodeException absent) {
                return Optional.empty();
            }
        });
    }

    @Override
    public int write(String path, byte[] data, int expectedVersion) {
        String znode = znode(path);
        return call(path, "writing " + path, () -> {
            if (expectedVersion == Versioned.ABSENT) {
                try {
                    client.create().creatingParentContainersIfNeeded().forPath(znode, data);
                    return 0;
                } catch (KeeperException.NodeExistsException taken) {
                    throw new StaleVersionException(path, expectedVersion, taken);
                }
            }
            try {
                return client.setData().withVersion(expectedVersion).forPath(znode, data).getVersion();
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException stale) {
                throw new StaleVersionException(path, expectedVersion, stale);
            }
        });
    }

    @Override
    public void delete(String path, int expectedVersion) {
        String znode = znode(path);
        call(path, "deleting " + path, () -> {
            try {
                client.delete().withVersion(expectedVersion).forPath(znode);
                return null;
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException stale) {
                throw new StaleVersionException(path, expectedVersion, stale);
            }
        });
    }

    @Override
    public java.util.List<Integer> commit(java.util.List<Write> writes) {
        if (writes.isEmpty()) {
            throw new IllegalArgumentException("a transaction writes at least one document");
        }
        java.util.List<CuratorOp> ops = new java.util.ArrayList<>(writes.size());
        java.util.Set<String> paths = new java.util.HashSet<>();
        for (Write w : writes) {
            String znode = znode(w.path());
            if (!paths.add(znode)) {
                throw new IllegalArgumentException("a transaction names " + w.path() + " twice");
            }
            ops.add(call(w.path(), "preparing the transaction", () -> op(w, znode)));
        }
        String what = "committing " + writes.size() + " documents (" + writes.get(0).path() + ", ...)";
        return call(writes.get(0).path(), what, () -> {
            for (boolean parentsMade = false; ; parentsMade = true) {
                try {
                    return versions(client.transaction().forOperations(ops));
                } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
                         | KeeperException.NoNodeException | KeeperException.NotEmptyException refused) {
                    // NoNode: a document gone, or the parent of one created missing
                    if (parentsMade || !(refused instanceof KeeperException.NoNodeException) || !makeParents(writes)) {
                        throw stale(writes, refused);
                    }
                }
            }
        });
    }

    private CuratorOp op(Write w, String znode) throws Exception {
        if (w instanceof Write.Check) {
            return client.transactionOp().check().withVersion(w.expectedVersion()).forPath(znode);
        }
        if (w instanceof Write.Delete) {
            return client.transactionOp().delete().withVersion(w.expectedVersion()).forPath(znode);
        }
        byte[] data = ((Write.Put) w).data();
        return w.expectedVersion() == Versioned.ABSENT ? client.transactionOp().create().forPath(znode, data)
                : client.transactionOp().setData().withVersion(w.expectedVersion()).forPath(znode, data);
    }

    private static java.util.List<Integer> versions(java.util.List<CuratorTransactionResult> results) {
        return results.stream().map(r -> switch (r.getType()) {
            case CREATE -> 0;
            case SET_DATA -> r.getResultStat().getVersion();
            default -> Versioned.ABSENT;
        }).toList();
    }

    /**
     * Makes the parents of the documents {@code writes} creates (a transaction makes no parents of its own).
     *
     * @return whether there were any to make
     */
    private boolean makeParents(java.util.List<Write> writes) throws Exception {
        boolean made = false;
        for (Write w : writes) {
            int slash = w.path().lastIndexOf('/');
            if (w instanceof Write.Put && w.expectedVersion() == Versioned.ABSENT && slash > 0
                    && client.checkExists().forPath(znode(w.path().substring(0, slash))) == null) {
                client.createContainers(znode(w.path().substring(0, slash)));
                made = true;
            }
        }
        return made;
    }

    /**
     * The refusal of a transaction: the write ZooKeeper names as failed (the others are marked as rolled back), as a
     * stale version, or another failure as it is.
     */
    private static StaleVersionException stale(java.util.List<Write> writes, KeeperException refused) {
        java.util.List<org.apache.zookeeper.OpResult> results = refused.getResults();
        for (int i = 0; results != null && i < results.size() && i < writes.size(); i++) {
            if (results.get(i) instanceof org.apache.zookeeper.OpResult.ErrorResult error
                    && error.getErr() != KeeperException.Code.OK.intValue()
                    && error.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                return new StaleVersionException(writes.get(i).path(), writes.get(i).expectedVersion(), refused);
            }
        }
        return new StaleVersionException(writes.get(0).path(), writes.get(0).expectedVersion(), refused);
    }

    @Override
    public java.util.List<String> children(String path) {
        String znode = znode(path);
        return call(path, "listing " + path, () -> {
            try {
                return client.getChildren().forPath(znode).stream().sorted().toList();
            } catch (KeeperException.NoNodeException absent) {
                return java.util.List.of();
            }
        });
    }

    @Override
    public Lease lease(String path, byte[] data) {
        String znode = znode(path);
        PersistentNode node = new PersistentNode(client, CreateMode.EPHEMERAL, false, znode, data);
        node.start();
        boolean made = call(path, "taking the lease " + path,
                () -> node.waitForInitialCreate(options.operationTimeout().toMillis(), TimeUnit.MILLISECONDS));
        if (!made) {
            closeQuietly(node);
            throw new StoreUnavailableException(path, "taking the lease " + path, options.operationTimeout(), null);
        }
        return new Lease() {
            @Override
            public String path() {
                return path;
            }

            @Override
            public void close() {
                closeQuietly(node);
            }
        };
    }

    private static void closeQuietly(PersistentNode node) {
        try {
            node.close();
        } catch (java.io.IOException | RuntimeException e) {
            // the session's end takes the lease anyway
        }
    }

    @Override
    public LeaderElection elect(String election, String participant) {
        znode(election);
        return CuratorElection.start(this, "/elections/" + election, participant);
    }

    @Override
    public void close() {
        client.close();
    }

    CuratorFramework client() {
        return client;
    }

    StoreOptions options() {
        return options;
    }

    /** A store operation: Curator's own exceptions become the store's. */
    interface Operation<T> {
        T run() throws Exception;
    }

    <T> T call(String path, String what, Operation<T> operation) {
        long start = System.nanoTime();
        try {
            return operation.run();
        } catch (StoreException e) {
            throw e;
        } catch (KeeperException.NoAuthException | KeeperException.AuthFailedException
                 | KeeperException.SessionClosedRequireAuthException e) {
            throw new StoreAuthException(path, refusal(what, e), e);
        } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException
                 | KeeperException.OperationTimeoutException | KeeperException.SessionMovedException e) {
            throw new StoreUnavailableException(path, what, Duration.ofNanos(System.nanoTime() - start), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(path, "interrupted while " + what, e);
        } catch (Exception e) {
            throw new StoreException(path, what + " failed: " + e, e);
        }
    }

    private String refusal(String what, KeeperException e) {
        String store = "the store at " + options.connectString() + " (root /" + options.root() + ")";
        if (options.credential() == null) {
            return what + ": " + store + " asks who the client is, and it gave no credential (--store-auth): "
                    + e.code();
        }
        return what + ": " + store + " refused the identity '" + options.credential().user() + "' of "
                + options.credential().origin() + " (a wrong password, or documents another identity made): "
                + e.code();
    }

    /** The znode of a store path, checked: relative, no empty, {@code .} or {@code ..} parts. */
    static String znode(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
            throw new IllegalArgumentException("a store path is relative, such as vms/vm1: '" + path + "'");
        }
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("store path '" + path + "' has an empty, '.' or '..' part");
            }
        }
        return "/" + path;
    }
}
