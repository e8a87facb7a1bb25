package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.agent.BuiltInMigrator;
import io.cutover.agent.CutoverService;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.QemuMigrator;
import io.cutover.agent.libvirt.LibvirtEvents;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.rest.AgentServer;
import io.cutover.agent.steps.ConfiguredSteps;
import io.cutover.support.JsonAnswer;
import io.cutover.support.Metrics;
import io.vertx.core.Vertx;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code cutover agent --config host.yaml}: the per-host agent, in the foreground, until SIGTERM. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run the per-host cutover agent (REST API under /v1) in the foreground, or list a running "
                + "agent's cutovers.",
        subcommands = AgentCommand.Cutovers.class)
final class AgentCommand implements Callable<Integer> {
    /** How often cutovers left PLANNED are looked for ({@code planned-expiry}). */
    private static final java.time.Duration EXPIRY_CHECK = java.time.Duration.ofSeconds(10);

    /**
     * Required to run the agent, checked in {@link #call()}: picocli would ask for it before {@code agent cutovers}
     * too.
     */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AgentCommand.class);

    @Option(names = "--config", description = "The host's configuration (host.yaml); required to run the agent.")
    Path config;

    @Option(names = "--store", paramLabel = "HOST:PORT[,...]", description = "Keep each cutover's plan state in this "
            + "replicated store (ZooKeeper's connect string), written before each step, and hold this host's lease "
            + "there: a restarted agent ends its host's unfinished cutovers, and a peer those of a host whose agent "
            + "stays down past its lease. Without it, cutovers live in memory. See docs/scale-out.md.")
    String store;

    @Option(names = "--store-root", defaultValue = io.cutover.store.StoreOptions.DEFAULT_ROOT,
            description = "The root in the store: one root, one cluster (default: ${DEFAULT-VALUE}).")
    String storeRoot;

    @Option(names = "--store-auth", paramLabel = "FILE", description = "With --store, required: the store's credential, "
            + "one line user:password (mode 0600). The agent authenticates with it (ZooKeeper's digest scheme) and its "
            + "documents are that identity's alone. See docs/security.md.")
    Path storeAuth;

    @Option(names = "--store-session-timeout", defaultValue = "3s", description = "The lease: how long after this "
            + "agent stops talking to the store a peer may end its cutovers (default: ${DEFAULT-VALUE}).")
    String storeSessionTimeout;

    @Option(names = "--store-netns", description = "Reach the store from this network namespace (as 'ip netns' "
            + "names it), such as a lab host's.")
    String storeNetns;

    @Option(names = "--lease-check", defaultValue = "2s", description = "How often the agent looks for hosts whose "
            + "agent's lease expired, with --store (default: ${DEFAULT-VALUE}).")
    String leaseCheck;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The store's journal of this host, or {@code null} without {@code --store}. */
    private io.cutover.agent.journal.CutoverJournal journal(String host) {
        if (store == null) {
            return null;
        }
        io.cutover.store.StoreOptions options = io.cutover.store.StoreOptions.of(store).withRoot(storeRoot)
                .withSessionTimeout(io.cutover.support.Durations.parsePositive("--store-session-timeout",
                        storeSessionTimeout)).withCredential(StoreAuth.read(storeAuth));
        io.cutover.store.ReplicatedStore connected = storeNetns == null ? io.cutover.store.ReplicatedStore.connect(options)
                : io.cutover.store.ReplicatedStore.connect(options, io.cutover.support.Netns.threadFactory(storeNetns));
        return new io.cutover.agent.journal.impl.StoreCutoverJournal(connected, host);
    }

    @Override
    public Integer call() throws Exception {
        if (config == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--config=<config>'");
        }
        AgentConfig settings = AgentConfig.load(config);
        DaemonLogging.apply(settings.logLevel());
        PeerAgents peers = PeerAgents.of(settings);
        Metrics metrics = Metrics.of("agent");
        ConfiguredSteps steps = ConfiguredSteps.open(settings, peers, metrics.registry());
        BuiltInMigrator migrator;
        try {
            migrator = settings.migration() == null ? null
                    : BuiltInMigrator.open(settings.migration(), metrics.registry());
        } catch (RuntimeException e) {
            steps.close();
            throw e;
        }
        QemuMigrator qemu = settings.qemu() == null ? null : new QemuMigrator(settings.qemu());
        LibvirtEvents libvirt = settings.libvirt() == null ? null : LibvirtEvents.start(settings.libvirt());
        Vertx vertx = Vertx.vertx();
        CutoverService service = new CutoverService(settings, new MemoryClaims(settings.memoryMiB()),
                peers, steps, migrator, qemu, libvirt, metrics.registry());
        io.cutover.agent.journal.CutoverJournal journal = journal(settings.host());
        io.cutover.agent.CutoverRecovery recovery = null;
        if (journal != null) {
            service.useJournal(journal);
            recovery = new io.cutover.agent.CutoverRecovery(settings.host(), journal, steps, service);
        }
        AgentServer server = new AgentServer(vertx, service, settings.token(), settings.host(), steps.localTunnel(),
                metrics, settings.access());
        settings.peers().keySet().stream().filter(peer -> !settings.access().peerTokens().containsKey(peer))
                .forEach(peer -> LOG.warn("peer {} shares this host's own token, which acts on everything here: give "
                        + "it a token of its own (peers.{}.token-file, docs/security.md)", peer, peer));
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
            if (libvirt != null) {
                libvirt.close();
            }
            throw new IllegalStateException("cannot listen on " + settings.address() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        }
        vertx.setPeriodic(EXPIRY_CHECK.toMillis(), timer -> vertx.executeBlocking(service::expire, false));
        if (recovery != null) {
            io.cutover.agent.CutoverRecovery recovering = recovery;
            vertx.executeBlocking(recovering::recoverOwn, false).onSuccess(ids -> {
                if (!ids.isEmpty()) {
                    LOG.warn("recovering this host's unfinished cutovers: {}", ids);
                }
            }).onFailure(e -> LOG.error("this host's cutovers could not be recovered: {}", e.getMessage()));
            vertx.setPeriodic(io.cutover.support.Durations.parsePositive("--lease-check", leaseCheck).toMillis(),
                    timer -> vertx.executeBlocking(recovering::takeOverExpired, false).onFailure(e ->
                            LOG.warn("the peers' leases could not be checked: {}", e.getMessage())));
        }
        System.out.println("cutover agent for " + settings.host() + " listening on "
                + (settings.access().tls() == null ? "http" : "https") + "://" + settings.address()
                + ":" + port + "/v1 (steps: " + (settings.steps().isEmpty() ? "none" : settings.steps())
                + (migrator == null ? "" : "; migrations arrive at " + migrator.address())
                + (qemu == null ? "" : "; QEMU guests' QMP sockets in " + settings.qemu().socketDir())
                + (libvirt == null ? "" : "; following libvirt's events at " + settings.libvirt().uri())
                + (store == null ? "" : "; cutovers kept in the store at " + store) + ")");
        io.cutover.support.SystemdNotify.ready("api on port " + port);
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
                if (libvirt != null) {
                    libvirt.close();
                }
                service.journal().close();
            } catch (Exception ignored) {
                // exiting anyway
            } finally {
                stopped.countDown();
            }
        }, "agent-shutdown"));
        stopped.await();
        return ExitCode.OK;
    }

    /** {@code cutover agent cutovers}: a running agent's cutovers ({@code GET /v1/cutovers}), as a table or JSON. */
    @Command(name = "cutovers", mixinStandardHelpOptions = true,
            description = "List the cutovers a running agent holds: their stage, VM, hosts and failure.")
    static final class Cutovers implements Callable<Integer> {
        @Option(names = "--url", defaultValue = "http://" + AgentConfig.DEFAULT_LISTEN,
                description = "The agent's REST API (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--token-file", required = true,
                description = "A file holding the agent's bearer token (this host's; every call but health needs one).")
        Path tokenFile;

        @Option(names = "--tls-ca", description = "The CA of an https agent's certificate (default: the JDK's CAs).")
        Path tlsCa;

        @Option(names = "--json", description = "Print the agent's JSON ({\"cutovers\": [...]}), for scripts.")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            URI api;
            try {
                api = URI.create(url.replaceAll("/+$", "") + "/v1/");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--url: not a URL: " + url, e);
            }
            io.cutover.support.TlsFiles tls = tlsCa == null ? null : new io.cutover.support.TlsFiles(null, null, tlsCa, false);
            JsonAnswer answer = DaemonRest.send(api, TokenFile.read(tokenFile), tls, "GET", "cutovers", null,
                    "no agent answers at " + url + " (start it with 'cutover agent --config host.yaml')");
            if (answer.status() / 100 != 2) {
                return DaemonRest.refused(answer, spec.commandLine().getErr());
            }
            java.io.PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(answer.body().toPrettyString());
                out.flush();
                return ExitCode.OK;
            }
            table(answer.body().path("cutovers")).print(out);
            return ExitCode.OK;
        }

        /** One row a cutover: its id, stage, whether it ended, the VM, its hosts and mode, and why it failed. */
        static Table table(JsonNode cutovers) {
            Table table = new Table("ID", "STAGE", "ENDED", "VM", "SOURCE", "DESTINATION", "MODE", "FAILURE");
            for (JsonNode c : cutovers) {
                JsonNode request = c.path("request");
                table.row(c.path("id").asText(), c.path("stage").asText(), c.path("ended").asBoolean() ? "yes" : "no",
                        request.path("vm").asText(), request.path("source").asText(),
                        request.path("destination").asText(), request.path("mode").asText(null),
                        c.path("failure").asText(null));
            }
            return table;
        }
    }
}
