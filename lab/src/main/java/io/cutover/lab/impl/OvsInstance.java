package io.cutover.lab.impl;

import io.cutover.lab.CommandResult;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One Open vSwitch of the lab — the fabric's, or a hypervisor host's own: an {@code ovsdb-server} and an
 * {@code ovs-vswitchd} with the userspace datapath, started inside one namespace with every socket, database and log
 * in a directory of the lab's, so that two labs (or two hosts) never share a daemon and no kernel module is needed.
 */
public final class OvsInstance {
    private static final String SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";
    /** How long an unused datapath flow stays cached (see {@link #start}). */
    static final Duration DATAPATH_FLOW_IDLE = Duration.ofMillis(500);

    private final Path dir;
    private final String namespace;

    public OvsInstance(Path dir, String namespace) {
        this.dir = dir;
        this.namespace = namespace;
    }

    public Path dir() {
        return dir;
    }

    public Path ovsdbPidFile() {
        return dir.resolve("ovsdb-server.pid");
    }

    public Path vswitchdPidFile() {
        return dir.resolve("ovs-vswitchd.pid");
    }

    /** Starts both daemons; each is recorded in {@code journal} before it starts. */
    public void start(StateJournal journal) {
        Shell.run(List.of("ovsdb-tool", "create", dir.resolve("conf.db").toString(), SCHEMA), env(),
                Shell.DEFAULT_TIMEOUT).orThrow();
        journal.recordDaemon("ovsdb-server", ovsdbPidFile());
        Shell.run(Shell.inNamespace(namespace, List.of("ovsdb-server", dir.resolve("conf.db").toString(),
                "--remote=punix:" + dbSocket(),
                "--pidfile=" + ovsdbPidFile(),
                "--unixctl=" + dir.resolve("ovsdb-server.ctl"),
                "--log-file=" + dir.resolve("ovsdb-server.log"),
                "--detach")), env(), Shell.DEFAULT_TIMEOUT).orThrow();
        vsctl("--no-wait", "init").orThrow();
        // A datapath flow unused for half a second goes (the default keeps it 10 s). A MAC is relearned only from
        // a frame that misses the cache; a VM back on a port it used seconds ago would otherwise hit the flows it
        // left there and stay unlearned, its traffic sent to its previous port for about a second.
        vsctl("--no-wait", "set", "Open_vSwitch", ".", "other_config:max-idle=" + DATAPATH_FLOW_IDLE.toMillis())
                .orThrow();
        journal.recordDaemon("ovs-vswitchd", vswitchdPidFile());
        // The hypervisor's switch is not starved by its tenants: on a 2-core lab the migration stream and the
        // guests compete with the userspace datapath, which then drops frames.
        Shell.run(Shell.inNamespace(namespace, List.of("nice", "-n", "-10", "ovs-vswitchd", "unix:" + dbSocket(),
                "--pidfile=" + vswitchdPidFile(),
                "--unixctl=" + vswitchdControl(),
                "--log-file=" + dir.resolve("ovs-vswitchd.log"),
                "--detach")), env(), Shell.DEFAULT_TIMEOUT).orThrow();
    }

    /** Stops both daemons. */
    public void stop() {
        Daemons.stop(vswitchdPidFile(), Duration.ofSeconds(3));
        Daemons.stop(ovsdbPidFile(), Duration.ofSeconds(3));
    }

    /**
     * Adds a bridge on the userspace datapath, in standalone (learning switch) mode, with the datapath id
     * {@code dpid} (16 hex digits; the controller's key for the switch).
     */
    public void addBridge(String bridge, String dpid) {
        vsctl("add-br", bridge, "--", "set", "bridge", bridge, "datapath_type=netdev",
                "other-config:datapath-id=" + dpid).orThrow();
    }

    /** The datapath id of {@code bridge} as Open vSwitch reports it (16 hex digits). */
    public String datapathId(String bridge) {
        return vsctl("get", "bridge", bridge, "datapath_id").orThrow().stdout().strip().replace("\"", "");
    }

    /** Joins two bridges with a pair of patch ports named after each other. */
    public void patch(String bridgeA, String bridgeB) {
        String portA = patchPort(bridgeA, bridgeB);
        String portB = patchPort(bridgeB, bridgeA);
        vsctl("add-port", bridgeA, portA, "--", "set", "interface", portA, "type=patch",
                "options:peer=" + portB,
                "--", "add-port", bridgeB, portB, "--", "set", "interface", portB, "type=patch",
                "options:peer=" + portA).orThrow();
    }

    /** The name of the patch port on {@code from} that leads to {@code to}, such as {@code a-to-tor}. */
    public static String patchPort(String from, String to) {
        return strip(from) + "-to-" + strip(to);
    }

    private static String strip(String bridge) {
        return bridge.startsWith("br-") ? bridge.substring(3) : bridge;
    }

    /** Plugs {@code port} into {@code bridge}, its socket's receive buffer raised ({@link #raisePacketBuffers}). */
    public void addPort(String bridge, String port) {
        vsctl("add-port", bridge, port).orThrow();
        raisePacketBuffers();
    }

    /**
     * Raises the receive buffer of every port's packet socket of {@code ovs-vswitchd} ({@link PacketSocketBuffers}):
     * after each port it opens, which {@code ovs-vsctl} has waited for. Returns how many it raised.
     */
    public int raisePacketBuffers() {
        OptionalLong pid = Daemons.alivePid(vswitchdPidFile());
        return pid.isPresent() ? PacketSocketBuffers.raise(pid.getAsLong()) : 0;
    }

    public void deletePort(String bridge, String port) {
        vsctl("del-port", bridge, port).orThrow();
    }

    public List<String> ports(String bridge) {
        String out = vsctl("list-ports", bridge).orThrow().stdout().strip();
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    public CommandResult vsctl(String... args) {
        return tool("ovs-vsctl", "--db=unix:" + dbSocket(), "--timeout=10", args);
    }

    public CommandResult ofctl(String... args) {
        return tool("ovs-ofctl", null, null, args);
    }

    public CommandResult appctl(String... args) {
        return tool("ovs-appctl", "-t", vswitchdControl().toString(), args);
    }

    /**
     * Makes {@code ovs-vswitchd} drop its cached datapath flows, so that the next packets follow the tables as they
     * are now (a MAC that moved between ports); through its control socket, without starting a process.
     */
    public void purgeCachedFlows() {
        Unixctl.call(vswitchdControl(), "revalidator/purge");
    }

    private CommandResult tool(String program, String first, String second, String... args) {
        List<String> command = new ArrayList<>();
        command.add(program);
        if (first != null) {
            command.add(first);
        }
        if (second != null) {
            command.add(second);
        }
        command.addAll(Arrays.asList(args));
        return Shell.run(command, env(), Shell.DEFAULT_TIMEOUT);
    }

    private Path dbSocket() {
        return dir.resolve("db.sock");
    }

    private Path vswitchdControl() {
        return dir.resolve("ovs-vswitchd.ctl");
    }

    /** The environment that points every OVS tool at this lab's run directory. */
    public Map<String, String> env() {
        String path = dir.toString();
        return Map.of("OVS_RUNDIR", path, "OVS_DBDIR", path, "OVS_LOGDIR", path, "OVS_SYSCONFDIR", path);
    }
}
