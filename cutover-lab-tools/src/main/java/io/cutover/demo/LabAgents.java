package io.cutover.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.cutover.lab.HostSwitch;
import io.cutover.lab.Lab;
import io.cutover.lab.Libvirtd;
import io.cutover.lab.LabPki;
import io.cutover.lab.Topology;
import io.cutover.support.HttpUnreachableException;
import io.cutover.support.JavaCommand;
import io.cutover.support.JsonHttpClient;
import io.cutover.support.Netns;
import io.cutover.support.ThreadPriority;
import io.cutover.support.TlsFiles;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The daemons of a lab's two hypervisor hosts, each a {@code cutover} process in its host's namespace, as on
 * real hosts:
 * <ul>
 *   <li>the SDN controller ({@code cutover sdn serve --lab}) on host A: its OpenFlow side on the lab's controller
 *       address in the fabric's namespace, where the fabric's switches and both hosts' own ({@code br-int}) reach it;
 *       its REST API on host A's underlay address, where both agents reach it;</li>
 *   <li>a tunnel daemon ({@code cutover tunnel serve}) on each host, its API on the host's loopback;</li>
 *   <li>an agent ({@code cutover agent}) on each host, on the underlay: the controller, its tunnel daemon, the
 *       namespace VM's announcements (sent from its interface) and, on a WAN lab,
 *       the lab's DNS server.</li>
 * </ul>
 * An orchestrator on a host calls them through {@link #agent}, {@link #tunnelDaemon} and {@link #controller}.
 * {@link #close()} stops every process and gives the bridges back their learning-switch behaviour.
 */
public final class LabAgents implements AutoCloseable {
    /** The agents' API port. */
    static final int AGENT_PORT = 7070;
    /** The controller's REST port on host A. */
    static final int CONTROLLER_PORT = 6680;
    /** The tunnel daemons' API port on their hosts' loopback. */
    static final int TUNNEL_API_PORT = 7946;
    /** The controller's OpenFlow port on the lab's controller address, in the fabric namespace. */
    static final int OPENFLOW_PORT = 6653;
    static final List<String> HOSTS = List.of("hostA", "hostB");
    /** The daemons' scheduling priority: ahead of the migration, as the lab's switch (-10). */
    static final int NICENESS = -10;
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);
    /**
     * How long a lab move's tunnel must be idle before its drain may end: the demo's client stops probing before the
     * cutover completes, so a LAN move drains a second after that.
     */
    public static final Duration DRAIN_IDLE = Duration.ofSeconds(1);
    /**
     * How long after activation a lab move's tunnel ends anyway: a WAN move's resolvers may hold the old address for
     * the name's TTL from the lowering (the zone's default is 300 s), far longer than a test waits; the demo's names
     * are registered with a TTL short enough that their drains end by the DNS rule before this.
     */
    public static final Duration DRAIN_HARD_MAX = Duration.ofSeconds(8);
    /** How long a daemon that is starting may take to answer one call. */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);
    /** The daemons' configuration files, every string quoted (a random token may look like a number to YAML). */
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    /** Where the guests the agents move are plugged in, which decides each host's switch and forwarder port. */
    public enum GuestPorts {
        /**
         * The namespace VM, cabled into the sites' bridges in the fabric: each host's switch is its site's bridge, its
         * forwarder port its own cable there ({@code eth0}), and the agents announce from the VM's interface.
         */
        SITE_BRIDGES,
        /**
         * QEMU guests on each host's own {@code br-int}: each host's switch is that bridge, its forwarder port the
         * bridge's {@link HostSwitch#FORWARDER} port, and QEMU announces the guest itself at the destination (its
         * RARPs, the guest's own gratuitous ARPs).
         */
        HOST_SWITCHES
    }

    /** How the agents' APIs are reached: over plain HTTP, or HTTPS with mutual TLS. */
    public enum AgentTransport {
        /** Plain HTTP: the tokens cross the underlay in clear. */
        HTTP,
        /**
         * HTTPS from a lab CA ({@link LabPki}): each agent presents a certificate naming its underlay address and
         * requires one from every caller, the other agent and the orchestrator alike.
         */
        MUTUAL_TLS
    }

    private final Lab lab;
    private final GuestPorts guests;
    private final Path dir;
    private final AgentTransport transport;
    /** Each host's own token, for its orchestrator (this class) and hooks. */
    private final Map<String, String> tokens = new LinkedHashMap<>();
    /** The token the two hosts' agents share, for the calls between them. */
    private final String pairToken;
    /** Each host's TLS files, with {@link AgentTransport#MUTUAL_TLS}. */
    private final Map<String, TlsFiles> tls = new LinkedHashMap<>();
    /** The controller's REST token, apart from the agents' (it is not theirs to give out). */
    private final String controllerToken;
    /** The tunnel daemons' API token, which only their own hosts' agents and the orchestrator hold. */
    private final String tunnelToken;
    private final Map<String, String> underlay = new LinkedHashMap<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<JsonHttpClient> clients = new ArrayList<>();
    private final Map<String, JsonHttpClient> agents = new LinkedHashMap<>();
    private final Map<String, JsonHttpClient> tunnels = new LinkedHashMap<>();
    private JsonHttpClient controller;

    private LabAgents(Lab lab, Path dir, GuestPorts guests, AgentTransport transport) {
        this.lab = lab;
        this.guests = guests;
        this.dir = dir;
        this.transport = transport;
        HOSTS.forEach(host -> tokens.put(host, HexFormat.of().formatHex(new SecureRandom().generateSeed(16))));
        this.pairToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        this.controllerToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        this.tunnelToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        HOSTS.forEach(host -> underlay.put(host, lab.topology().underlay(host)));
    }

    /**
     * Starts the controller, the tunnel daemons and the agents on {@code lab}, and waits until each answers. The
     * VM gets its standby cable into the other host's bridge ({@link Lab#dualHome}) first: the controller admits
     * the ports it knows.
     */
    public static LabAgents start(Lab lab) {
        return start(lab, GuestPorts.SITE_BRIDGES);
    }

    /** {@link #start(Lab)} for guests plugged in as {@code guests} says. */
    public static LabAgents start(Lab lab, GuestPorts guests) {
        return start(lab, lab.dir().resolve("agents"), guests);
    }

    /**
     * {@link #start(Lab, GuestPorts)}, with the daemons' configuration, state and logs in {@code dir} (kept after the
     * lab).
     */
    public static LabAgents start(Lab lab, Path dir, GuestPorts guests) {
        return start(lab, dir, guests, AgentTransport.HTTP);
    }

    /** {@link #start(Lab, GuestPorts)} with the agents reached as {@code transport} says. */
    public static LabAgents start(Lab lab, GuestPorts guests, AgentTransport transport) {
        return start(lab, lab.dir().resolve("agents"), guests, transport);
    }

    /** {@link #start(Lab, Path, GuestPorts)} with the agents reached as {@code transport} says. */
    public static LabAgents start(Lab lab, Path dir, GuestPorts guests, AgentTransport transport) {
        LabAgents daemons = new LabAgents(lab, dir, guests, transport);
        try {
            daemons.startAll();
            return daemons;
        } catch (RuntimeException | IOException | InterruptedException e) {
            daemons.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start the lab's agents: " + e.getMessage(), e);
        }
    }

    private void startAll() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String vmInterface = null;
        if (guests == GuestPorts.SITE_BRIDGES) {
            String vmBridge = lab.bridgeOf(Topology.VM);
            vmInterface = lab.dualHome(Topology.VM, vmBridge.equals("br-a") ? "br-b" : "br-a");
        }
        String controllerUrl = "http://" + underlay.get("hostA") + ":" + CONTROLLER_PORT + "/v1";
        Path sdnToken = Files.writeString(dir.resolve("sdn.token"), controllerToken);
        process("hostA", "sdn", "sdn", "serve", "--lab", lab.name(), "--listen", Topology.CONTROLLER_ADDRESS + ":" + OPENFLOW_PORT,
                "--rest", "0.0.0.0:" + CONTROLLER_PORT, "--token-file", sdnToken.toString(),
                "--state", dir.resolve("sdn-state").toString());
        Path tunnelTokenFile = Files.writeString(dir.resolve("tunnel.token"), tunnelToken);
        for (String host : HOSTS) {
            Path config = writeConfig("tunnel-" + host, tunnelConfig(host, tunnelTokenFile));
            process(host, "tunnel-" + host, "tunnel", "serve", "--config", config.toString());
            tunnels.put(host, client(host, URI.create("http://127.0.0.1:" + TUNNEL_API_PORT + "/v1/"), tunnelToken));
        }
        controller = client("hostA", URI.create(controllerUrl + "/"), controllerToken);
        if (transport == AgentTransport.MUTUAL_TLS) {
            LabPki pki = LabPki.authority(dir.resolve("pki"), "cutover-lab");
            HOSTS.forEach(host -> tls.put(host, pki.issue(host, true, underlay.get(host))));
        }
        Files.writeString(dir.resolve("pair.token"), pairToken);
        for (String host : HOSTS) {
            Path config = writeConfig(host, agentConfig(host, controllerUrl, vmInterface));
            process(host, host, "agent", "--config", config.toString());
            agents.put(host, client(host, URI.create(scheme() + "://127.0.0.1:" + AGENT_PORT + "/v1/"), tokens.get(host),
                    tls.get(host)));
        }
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        awaitReady("the SDN controller", controller, "switches", deadline);
        for (String host : HOSTS) {
            awaitReady("the tunnel daemon of " + host, tunnels.get(host), "moves", deadline);
            awaitReady("the agent of " + host, agents.get(host), "health", deadline);
        }
    }

    private ObjectNode agentConfig(String host, String controllerUrl, String vmInterface) {
        String peer = HOSTS.get(1 - HOSTS.indexOf(host));
        ObjectNode config = YAML.createObjectNode()
                .put("host", host)
                .put("listen", "0.0.0.0:" + AGENT_PORT)
                .put("token", tokens.get(host))
                .put("memory-mib", 4096);
        config.putObject("peers").putObject(peer).put("url", scheme() + "://" + underlay.get(peer) + ":" + AGENT_PORT)
                .put("token-file", dir.resolve("pair.token").toString());
        TlsFiles files = tls.get(host);
        if (files != null) {
            config.putObject("tls").put("cert", files.cert().toString()).put("key", files.key().toString())
                    .put("ca", files.ca().toString()).put("client-certificates", "required");
        }
        ObjectNode sdn = config.putObject("sdn").put("url", controllerUrl).put("token", controllerToken);
        ObjectNode switches = sdn.putObject("switches");
        ObjectNode forwarderPorts = sdn.putObject("forwarder-ports");
        for (String each : HOSTS) {
            switches.put(each, guests == GuestPorts.HOST_SWITCHES ? lab.hostSwitch(each).datapathId()
                    : SdnLabFabric.dpid(lab, lab.port(each).bridge()).toString());
            forwarderPorts.put(each, guests == GuestPorts.HOST_SWITCHES ? HostSwitch.FORWARDER
                    : lab.port(each).switchSide());
        }
        sdn.put("timeout", "5s").put("rollback-patience", "30s");
        config.putObject("tunnel").put("api", "http://127.0.0.1:" + TUNNEL_API_PORT).put("token", tunnelToken)
                .put("underlay", underlay.get(host) + ":" + CutoverDemo.TUNNEL_PORT).put("iface", tunnelInterface())
                .put("drain-idle", DRAIN_IDLE.toMillis() + "ms").put("drain-hard-max", DRAIN_HARD_MAX.toMillis() + "ms");
        if (guests == GuestPorts.SITE_BRIDGES) {
            ObjectNode announce = config.putObject("announce")
                    .put("interface", vmInterface).put("netns", lab.namespace(Topology.VM));
            announce.putArray("forms").add("rarp").add("request").add("na");
            announce.put("schedule", "qemu");
        }
        // QEMU guests: QEMU and the guest announce every address the lab's guests have (IPv4), so their agents have no
        // announce section; 'via: controller' would send what QEMU does not cover (NA, extra addresses) from the guest's
        // port. With it, a loaded bench's QEMU moves lost 2,662 probes, 3 of 10 moves stalling 1.7 s after the resume,
        // against none without: not yet understood (issue "Zero loss").
        config.putObject("qemu").put("socket-dir", qemuSocketDir(host).toString());
        // a lab started with libvirt (lab up --libvirt): the agents follow its guests' lifecycle events
        Libvirtd.running(lab, host).ifPresent(libvirtd -> config.putObject("libvirt").put("uri", libvirtd.uri()));
        if (lab.topology() == Topology.WAN) {
            config.putObject("dns")
                    .put("server", lab.dnsServer() + ":53")
                    .put("key-file", lab.tsigKeyFile().toString())
                    .put("queue-dir", dir.resolve("ddns-" + host).toString())
                    .put("lowered-ttl", CutoverDemo.LOWERED_TTL.toSeconds() + "s")
                    .put("timeout", "1s")
                    .put("replay-every", "1s");
        }
        return config;
    }

    private ObjectNode tunnelConfig(String host, Path tokenFile) {
        return YAML.createObjectNode()
                .put("listen", underlay.get(host) + ":" + CutoverDemo.TUNNEL_PORT)
                .put("api", "127.0.0.1:" + TUNNEL_API_PORT)
                .put("tokenFile", tokenFile.toString())
                .put("stateDir", dir.resolve("tunnel-" + host).toString());
    }

    private Path writeConfig(String name, ObjectNode config) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        YAML.writeValue(file.toFile(), config);
        return file;
    }

    private String scheme() {
        return transport == AgentTransport.MUTUAL_TLS ? "https" : "http";
    }

    /** The agent of {@code host}, called from that host. */
    JsonHttpClient agent(String host) {
        return agents.get(host);
    }

    /** The tunnel daemon of {@code host}, called from that host. */
    JsonHttpClient tunnelDaemon(String host) {
        return tunnels.get(host);
    }

    /** The SDN controller's REST API, called from host A. */
    JsonHttpClient controller() {
        return controller;
    }

    /** A daemon these agents run beside. */
    public enum Daemon { AGENT, TUNNEL, CONTROLLER }

    /**
     * What {@code daemon} of {@code host} ({@code host} is passed over for the controller, which runs on host A)
     * answers to {@code GET /metrics}, as an operator's Prometheus would scrape it (with the daemon's token).
     */
    public String metrics(Daemon daemon, String host) {
        JsonHttpClient client = switch (daemon) {
            case AGENT -> agents.get(host);
            case TUNNEL -> tunnels.get(host);
            case CONTROLLER -> controller;
        };
        return client.send("GET", "/metrics", null).requireStatus(200).text();
    }

    /** Where the guests these agents move are plugged in. */
    public GuestPorts guests() {
        return guests;
    }

    /** The interface each host's tunnel daemon captures on and injects into: its forwarder port. */
    String tunnelInterface() {
        return guests == GuestPorts.HOST_SWITCHES ? HostSwitch.FORWARDER : "eth0";
    }

    /** The underlay address of {@code host}. */
    String underlay(String host) {
        return underlay.get(host);
    }

    /** Where the QMP sockets of {@code host}'s QEMU guests are, as its agent looks for them. */
    public Path qemuSocketDir(String host) {
        return dir.resolve("qemu-" + host).toAbsolutePath();
    }

    /** Where the daemons' logs and state are. */
    public Path dir() {
        return dir;
    }

    /**
     * A client of {@code base} as an orchestrator on {@code host} calls it: its sockets are opened in the host's
     * namespace, whichever thread calls, by threads at the daemons' priority (ahead of the migration that shares
     * this process).
     */
    private JsonHttpClient client(String host, URI base, String bearer) {
        return client(host, base, bearer, null);
    }

    /** {@link #client(String, URI, String)} over TLS with {@code tls} (or plain HTTP when it is {@code null}). */
    private JsonHttpClient client(String host, URI base, String bearer, TlsFiles tls) {
        JsonHttpClient client = JsonHttpClient.builder(base).bearerToken(bearer).tls(tls)
                .threads(ThreadPriority.niced(Netns.threadFactory(lab.namespace(host)), NICENESS)).build();
        clients.add(client);
        return client;
    }

    private void process(String host, String name, String... args) {
        // control-plane daemons: in the blackout they must not wait for the CPU behind the migration's stream
        List<String> command = new ArrayList<>(List.of("nice", "-n", String.valueOf(NICENESS)));
        command.addAll(launcher().toList());
        command.addAll(List.of(args));
        processes.add(lab.spawn(host, command, dir.resolve(name + ".log")));
    }

    /**
     * This program, as a command: the launcher jar the JVM names or runs, or its class path and main class (for a
     * daemon of the lab's, such as {@code cutover tunnel serve}).
     */
    public static JavaCommand launcher() {
        String jar = System.getProperty("cutover.jar");
        return jar != null ? JavaCommand.jar(Path.of(jar)) : JavaCommand.thisProgram("io.cutover.cli.CutoverCommand");
    }

    private void awaitReady(String what, JsonHttpClient api, String path, long deadline) throws InterruptedException {
        while (!answers(api, path)) {
            for (Process process : processes) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("a daemon exited with " + process.exitValue() + " (logs in " + dir
                            + ")");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not answer within " + READY_WITHIN + " (logs in " + dir
                        + ")");
            }
            Thread.sleep(100);
        }
    }

    /** Whether {@code api} answers at all (any status). */
    private static boolean answers(JsonHttpClient api, String path) {
        try {
            api.send("GET", path, null, ANSWER_WITHIN);
            return true;
        } catch (HttpUnreachableException e) {
            return false;
        }
    }

    /** Stops every daemon (SIGTERM, then SIGKILL after 10 s) and gives the bridges back to learning. */
    @Override
    public void close() {
        clients.forEach(JsonHttpClient::close);
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        SdnLabFabric.detachAll(lab);
    }
}
