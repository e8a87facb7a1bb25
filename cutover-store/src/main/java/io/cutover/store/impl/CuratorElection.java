package io.cutover.store.impl;

import io.cutover.store.LeaderElection;
import io.cutover.store.StoreException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An election on Curator's {@link LeaderLatch} (the lowest ephemeral sequential node under {@code ELECTION/latch}
 * leads). The generation is the data version of {@code ELECTION/generation}: a new leader bumps it in one transaction
 * with a check that its own latch node still exists, so a participant whose session has already ended cannot bump
 * it, and every leadership's generation is greater than all before. The znode also names the current leader.
 * <p>
 * The latch's callbacks run on a thread of this election's own: the bump is a blocking call, which must not run on
 * ZooKeeper's event thread that delivers its reply.
 */
final class CuratorElection implements LeaderElection {
    private static final Logger LOG = LoggerFactory.getLogger(CuratorElection.class);
    private static final long NOT_LEADING = 0;

    private final CuratorStore store;
    private final String path;
    private final String participant;
    private final LeaderLatch latch;
    private final ExecutorService callbacks;
    private volatile long generation = NOT_LEADING;

    private CuratorElection(CuratorStore store, String path, String participant) {
        this.store = store;
        this.path = path;
        this.participant = participant;
        this.latch = new LeaderLatch(store.client(), path + "/latch", participant);
        this.callbacks = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "election-" + participant);
            thread.setDaemon(true);
            return thread;
        });
    }

    static CuratorElection start(CuratorStore store, String path, String participant) {
        CuratorElection election = new CuratorElection(store, path, participant);
        election.latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                election.tookLeadership();
            }

            @Override
            public void notLeader() {
                election.lostLeadership();
            }
        }, election.callbacks);
        try {
            election.latch.start();
        } catch (Exception e) {
            election.callbacks.shutdownNow();
            throw new StoreException(path, "cannot enter the election " + path + ": " + e.getMessage(), e);
        }
        return election;
    }

    private void tookLeadership() {
        try {
            long next = bumpGeneration();
            if (latch.hasLeadership()) {
                generation = next;
                LOG.info("{} leads {} (generation {})", participant, path, next);
            }
        } catch (Exception e) {
            // lost the session or the latch node meanwhile: the latch calls notLeader, or a later isLeader bumps again
            LOG.warn("{} won {} but could not take a generation: {}", participant, path, e.toString());
        }
    }

    private void lostLeadership() {
        if (generation != NOT_LEADING) {
            LOG.info("{} no longer leads {} (was generation {})", participant, path, generation);
        }
        generation = NOT_LEADING;
    }

    private long bumpGeneration() throws Exception {
        CuratorFramework client = store.client();
        String counter = path + "/generation";
        try {
            client.create().creatingParentContainersIfNeeded().forPath(counter, new byte[0]);
        } catch (KeeperException.NodeExistsException exists) {
            // an earlier leader made it
        }
        List<CuratorTransactionResult> results = client.transaction().forOperations(
                client.transactionOp().check().forPath(latch.getOurPath()),
                client.transactionOp().setData().forPath(counter, participant.getBytes(StandardCharsets.UTF_8)));
        return results.get(1).getResultStat().getVersion();
    }

    @Override
    public String participant() {
        return participant;
    }

    @Override
    public boolean isLeader() {
        return generation != NOT_LEADING && latch.hasLeadership();
    }

    @Override
    public OptionalLong generation() {
        long now = generation;
        return now != NOT_LEADING && latch.hasLeadership() ? OptionalLong.of(now) : OptionalLong.empty();
    }

    @Override
    public long latestGeneration() {
        String counter = path + "/generation";
        return store.call(counter, "reading " + counter, () -> {
            org.apache.zookeeper.data.Stat stat = store.client().checkExists().forPath(counter);
            return stat == null ? 0L : (long) stat.getVersion();
        });
    }

    @Override
    public OptionalLong awaitLeadership(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            OptionalLong now = generation();
            if (now.isPresent() || System.nanoTime() >= deadline) {
                return now;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return generation();
            }
        }
    }

    @Override
    public void close() {
        try {
            latch.close();
        } catch (IOException | IllegalStateException e) {
            LOG.debug("closing the election {} of {}: {}", path, participant, e.toString());
        } finally {
            callbacks.shutdown();
            generation = NOT_LEADING;
        }
    }
}
