package io.cutover.tunnel;

import io.cutover.api.CutoverStage;
import io.cutover.tunnel.impl.RestApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * The standalone forwarder: a {@link Forwarder} with its journal, the moves of its config file, and the local
 * REST API ({@code /v1}). {@link #close()} (as on SIGTERM) flushes what is held and sends what is queued before
 * it returns.
 */
public final class TunnelDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelDaemon.class);

    private final Forwarder forwarder;
    private final RestApi api;
    private final CountDownLatch closed = new CountDownLatch(1);

    private TunnelDaemon(Forwarder forwarder, RestApi api) {
        this.forwarder = forwarder;
        this.api = api;
    }

    /**
     * Starts the forwarder (resuming journaled moves), adds the config's moves that the journal did not have,
     * and opens the REST API.
     *
     * @throws TunnelException when the tunnel or the API cannot be bound
     */
    public static TunnelDaemon start(DaemonConfig config) {
        long started = System.nanoTime();
        Forwarder forwarder = Forwarder.start(ForwarderOptions.builder()
                .bind(config.listen())
                .pathMtu(config.pathMtu())
                .flushRate(config.flushRate())
                .stateDir(config.stateDir())
                .build());
        try {
            int resumed = forwarder.moves().size();
            for (DaemonConfig.InitialMove move : config.moves()) {
                if (forwarder.status(move.spec().id()).isEmpty()) {
                    forwarder.add(move.spec());
                    if (move.stage() != null) {
                        bringTo(forwarder, move.spec().id(), move.stage());
                    }
                }
            }
            RestApi api = RestApi.start(forwarder, config.api(), config.token(), config.keyDir());
            if (config.insecureNoToken()) {
                LOG.warn("insecureNoToken: the API at {}:{} takes no token: any local process may capture any MAC "
                        + "and send it anywhere", config.api().getAddress().getHostAddress(), api.port());
            }
            LOG.info("tunnel daemon ready in {} ms: {} move(s) resumed from the journal, api http://{}:{}/v1{}",
                    (System.nanoTime() - started) / 1_000_000, resumed, config.api().getAddress().getHostAddress(), api.port(),
                    config.token() == null ? " (no token)" : " (bearer token)");
            return new TunnelDaemon(forwarder, api);
        } catch (RuntimeException e) {
            forwarder.close();
            throw e;
        }
    }

    /** Brings a PLANNED move to {@code stage} through the stages before it (SWITCHOVER, ACTIVATED, DRAINING). */
    public static void bringTo(Forwarder forwarder, String id, CutoverStage stage) {
        for (CutoverStage step : new CutoverStage[] {CutoverStage.SWITCHOVER, CutoverStage.ACTIVATED, CutoverStage.DRAINING}) {
            if (step.ordinal() <= stage.ordinal() && !stage.isTerminal()) {
                forwarder.stage(id, step);
            }
        }
        if (stage.isTerminal()) {
            forwarder.stage(id, stage);
        }
    }

    public Forwarder forwarder() {
        return forwarder;
    }

    /** The REST API's port. */
    public int apiPort() {
        return api.port();
    }

    /** Blocks until {@link #close()} has run. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        LOG.info("tunnel daemon stopping: flushing held frames, sending what is queued");
        try {
            api.close();
        } finally {
            forwarder.close();
            closed.countDown();
            LOG.info("tunnel daemon stopped");
        }
    }
}
