package io.cutover.cli;

import io.cutover.agent.BuiltInMigrator;
import io.cutover.agent.CutoverService;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.QemuMigrator;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.rest.AgentServer;
import io.cutover.agent.steps.ConfiguredSteps;
import io.cutover.support.Metrics;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code cutover agent --config host.yaml}: the per-host agent, in the foreground, until SIGTERM. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run the per-host cutover agent (REST API under /v1) in the foreground.")
final class AgentCommand implements Callable<Integer> {
    /** How often cutovers left PLANNED are looked for ({@code planned-expiry}). */
    private static final java.time.Duration EXPIRY_CHECK = java.time.Duration.ofSeconds(10);

    @Option(names = "--config", required = true, description = "The host's configuration (host.yaml).")
    Path config;

    @Override
    public Integer call() throws Exception {
        AgentConfig settings = AgentConfig.load(config);
        PeerAgents peers = new PeerAgents(settings.peers(), settings.token());
        ConfiguredSteps steps = ConfiguredSteps.open(settings, peers);
        BuiltInMigrator migrator;
        try {
            migrator = settings.migration() == null ? null : BuiltInMigrator.open(settings.migration());
        } catch (RuntimeException e) {
            steps.close();
            throw e;
        }
        QemuMigrator qemu = settings.qemu() == null ? null : new QemuMigrator(settings.qemu());
        Vertx vertx = Vertx.vertx();
        Metrics metrics = Metrics.of("agent");
        CutoverService service = new CutoverService(settings, new MemoryClaims(settings.memoryMiB()),
                peers, steps, migrator, qemu, metrics.registry());
        AgentServer server = new AgentServer(vertx, service, settings.token(), settings.host(), steps.localTunnel(),
                metrics);
        int port;
        try {
            port = server.listen(settings.address(), settings.port()).await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            steps.close();
            if (migrator != null) {
                migrator.close();
            }
            if (qemu != null) {
                qemu.close();
            }
            throw new IllegalStateException("cannot listen on " + settings.address() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        }
        vertx.setPeriodic(EXPIRY_CHECK.toMillis(), timer -> vertx.executeBlocking(service::expire, false));
        System.out.println("cutover agent for " + settings.host() + " listening on http://" + settings.address()
                + ":" + port + "/v1 (steps: " + (settings.steps().isEmpty() ? "none" : settings.steps())
                + (migrator == null ? "" : "; migrations arrive at " + migrator.address())
                + (qemu == null ? "" : "; QEMU guests' QMP sockets in " + settings.qemu().socketDir()) + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close().await(5, TimeUnit.SECONDS);
                vertx.close().await(5, TimeUnit.SECONDS);
                steps.close();
                if (migrator != null) {
                    migrator.close();
                }
                if (qemu != null) {
                    qemu.close();
                }
            } catch (Exception ignored) {
                // exiting anyway
            } finally {
                stopped.countDown();
            }
        }, "agent-shutdown"));
        stopped.await();
        return ExitCode.OK;
    }
}
