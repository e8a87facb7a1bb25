package io.cutover.sdn.impl;

import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.ControllerRole;
import io.cutover.store.LeaderElection;
import io.cutover.store.ReplicatedStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A controller's membership of a controller cluster: it joins the store's election {@value #ELECTION} and follows it.
 * When it leads, the controller loads the model from the store and takes the role of master with the leadership's
 * generation ({@link ControllerCore#lead}); when it does not, it is a slave with the latest generation. A leader that
 * the store or a switch deposes (another controller wrote the model, a newer master took a switch) leaves the election
 * and enters it again, so that whoever leads next starts from the store. A slave follows the model in the store
 * ({@link SharedModel#refresh}) at every look at the election, keeping it and its plan warm. The election is looked at every
 * {@value #TICK_MS} ms, on a thread of the controller's thread factory (its namespace), as every store call is.
 */
final class ControllerCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerCluster.class);
    /** The election of a cluster's controllers, under the store's root (one root, one cluster). */
    static final String ELECTION = "controllers";
    static final long TICK_MS = 100;

    private final ReplicatedStore store;
    private final SharedModel models;
    private String participant;
    private final ScheduledExecutorService loop;
    /**
     * The least time a takeover may take before this controller gives it up and enters the election again: at 1,000
     * switches and 50,000 endpoints reading, planning and reconciling takes some 20-40 s on two cores, and a takeover
     * given up at 20 s handed the leadership from member to member for 45 s (bench scale --cluster).
     */
    static final long MIN_LEAD_TIMEOUT_MS = 120_000;
    private final long leadTimeoutMs;
    private volatile LeaderElection election;
    private ControllerCore core;
    /** Whether a slave's last read of the store's model failed. Loop thread only. */
    private boolean unfollowed;
    /** The generation this controller leads with; 0 while it does not. Loop thread only. */
    private long led;

    private ControllerCluster(ReplicatedStore store, ThreadFactory threads, long leadTimeoutMs) {
        this.store = store;
        this.models = new SharedModel(store);
        this.leadTimeoutMs = leadTimeoutMs;
        this.loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = threads.newThread(runnable);
            thread.setName("sdn-cluster");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Connects to the store of {@code options}, from a thread of its store's thread factory (its namespace). */
    static ControllerCluster connect(ControllerOptions options) {
        ThreadFactory threads = options.storeThreadFactory() != null ? options.storeThreadFactory()
                : options.threadFactory() != null ? options.threadFactory() : Executors.defaultThreadFactory();
        return new ControllerCluster(ReplicatedStore.connect(options.store(), threads), threads,
                Math.max(options.requestTimeout().toMillis() * 2, MIN_LEAD_TIMEOUT_MS));
    }

    SharedModel models() {
        return models;
    }

    /**
     * Enters the election for {@code controller}, named by its OpenFlow {@code address}, makes it a slave with the
     * latest leader's generation (a slave's role requests carry it) and starts following the election.
     */
    void start(ControllerCore controller, String address) {
        this.core = controller;
        this.participant = address + " (pid " + ProcessHandle.current().pid() + ")";
        election = store.elect(ELECTION, participant);
        core.takeRole(ControllerRole.SLAVE, latestOr(0));
        LOG.info("controller {} joined the cluster's election {} (the store holds {} endpoints)", participant,
                ELECTION, warmUp());
        loop.scheduleWithFixedDelay(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        if (election == null) {
            enter();
            return;
        }
        try {
            OptionalLong leading = election.generation();
            if (leading.isPresent() && leading.getAsLong() != led) {
                led = leading.getAsLong();
                LOG.info("{} leads the cluster (generation {}): taking over", participant, led);
                core.lead(led).get(leadTimeoutMs, TimeUnit.MILLISECONDS);
                LOG.info("master with generation {}", led);
            } else if (leading.isPresent() && core.role() != ControllerRole.MASTER) {
                LOG.warn("deposed while leading (generation {}): entering the election again", led);
                rejoin();
            } else if (leading.isEmpty() && led != 0) {
                LOG.warn("no longer leads the cluster (was generation {}): a slave now", led);
                led = 0;
                core.takeRole(ControllerRole.SLAVE, latestOr(core.generation()))
                        .get(leadTimeoutMs, TimeUnit.MILLISECONDS);
            } else if (leading.isEmpty()) {
                follow();
            }
        } catch (Exception e) {
            LOG.warn("cluster: {}", ControllerCore.unwrap(e instanceof java.util.concurrent.ExecutionException
                    ? e.getCause() : e).toString());
            if (led != 0) {
                rejoin();
            }
        }
    }

    /**
     * Reads the model and follows it, a slave ({@link ControllerCore#follow}); every tick then reads the head again
     * and, when another controller saved, the parts that changed, so that a takeover reads only what changed since.
     *
     * @return how many endpoints it holds, or -1 when it cannot be read
     */
    private int warmUp() {
        try {
            ModelState state = models.load();
            core.follow(state);
            return state.endpoints().size();
        } catch (RuntimeException e) {
            LOG.warn("cluster: cannot read the model in the store: {}", e.getMessage());
            return -1;
        }
    }

    /** A slave's look at the store's model; a failure is logged once, until a read succeeds again. */
    private void follow() {
        try {
            models.refresh().ifPresent(core::follow);
            unfollowed = false;
        } catch (RuntimeException e) {
            if (!unfollowed) {
                LOG.warn("cluster: cannot follow the model in the store: {}", e.getMessage());
            }
            unfollowed = true;
        }
    }

    private long latestOr(long fallback) {
        try {
            return Math.max(fallback, election.latestGeneration());
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    /** Gives up leadership and enters the election again, a slave meanwhile. */
    private void rejoin() {
        led = 0;
        try {
            election.close();
            core.takeRole(ControllerRole.SLAVE, latestOr(core.generation())).get(leadTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("cluster: stepping down: {}", e.toString());
        }
        election = null;
        enter();
    }

    private void enter() {
        try {
            election = store.elect(ELECTION, participant);
        } catch (RuntimeException e) {
            LOG.warn("cluster: cannot enter the election: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            if (election != null) {
                election.close();
            }
        } catch (RuntimeException e) {
            LOG.debug("leaving the election: {}", e.toString());
        }
        store.close();
    }
}
