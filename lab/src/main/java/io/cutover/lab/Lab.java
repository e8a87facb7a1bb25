package io.cutover.lab;

import io.cutover.support.Netns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.lab.impl.BindServer;
import io.cutover.lab.impl.DualHoming;
import io.cutover.lab.impl.HostSwitchVm;
import io.cutover.lab.impl.LabBuilder;
import io.cutover.lab.impl.LabInfo;
import io.cutover.lab.impl.LabLayout;
import io.cutover.lab.impl.LabTeardown;
import io.cutover.lab.impl.OvsInstance;
import io.cutover.lab.impl.Shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A running lab: hosts as network namespaces, Open vSwitch bridges, a BIND server. Made by {@link #up},
 * found again by {@link #attach}, removed by {@link #close()} or {@link #down(String)}.
 *
 * <pre>{@code
 * try (Lab lab = Lab.up(null, Topology.LAN)) {
 *     lab.exec("client", "ping", "-c", "1", lab.port("vm1").ipv4Address()).orThrow();
 * }
 * }</pre>
 */
public final class Lab implements AutoCloseable, OvsTools {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINK_ADDRESS = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private final LabLayout layout;
    private final Topology topology;
    private final OvsInstance fabric;
    private final BindServer dns;
    private final Map<String, DualHoming> dualHomed = new ConcurrentHashMap<>();
    private Thread exitHook;

    private Lab(LabLayout layout, Topology topology) {
        this.layout = layout;
        this.topology = topology;
        this.fabric = new OvsInstance(layout.ovsDir(), layout.namespace(Topology.FABRIC));
        this.dns = new BindServer(layout.dnsDir(), layout.namespace("dns"), topology);
    }

    /**
     * Builds a lab. If anything fails half way, what was made is removed and the error is thrown.
     *
     * @param name     the lab's name, or {@code null} for a new unique one
     * @param topology its shape
     * @throws MissingPrerequisiteException not root, or a program is missing
     * @throws LabException                 a step failed
     */
    public static Lab up(String name, Topology topology) {
        LabLayout layout = new LabLayout(name == null ? newName() : name);
        new LabBuilder(layout, topology).build();
        return new Lab(layout, topology);
    }

    /** The lab called {@code name}, already up. */
    public static Lab attach(String name) {
        LabLayout layout = new LabLayout(name);
        return new Lab(layout, LabInfo.read(layout).topology());
    }

    /**
     * Removes everything the lab called {@code name} made, also when its maker was killed half way.
     *
     * @throws LabException when something could not be removed (it says what)
     */
    public static void down(String name) {
        LabTeardown.removeOrThrow(new LabLayout(name));
    }

    /** The names of the labs on this machine. */
    public static List<String> list() {
        if (!Files.isDirectory(LabLayout.LABS_ROOT)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(LabLayout.LABS_ROOT)) {
            return dirs.map(dir -> dir.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new LabException("cannot list " + LabLayout.LABS_ROOT + ": " + e.getMessage(), e);
        }
    }

    /** A new lab name, unique with overwhelming probability: {@code lab-} and six hex digits. */
    public static String newName() {
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        return "lab-" + HexFormat.of().formatHex(random);
    }

    public String name() {
        return layout.name();
    }

    public Topology topology() {
        return topology;
    }

    /** The lab's run directory (daemons' sockets, databases, logs, the DNS key). */
    public Path dir() {
        return layout.dir();
    }

    /** The namespace that stands for {@code node}, such as {@code lab-1a2b3c-client}. */
    public String namespace(String node) {
        return layout.namespace(node);
    }

    /** The port of {@code node} into its bridge. */
    public Port port(String node) {
        return topology.port(node).orElseThrow(() -> new IllegalArgumentException("no host " + node + " in this lab"));
    }

    /** Runs a command inside {@code node}'s namespace; check {@link CommandResult#ok()} or call orThrow. */
    public CommandResult exec(String node, String... command) {
        return Shell.runIn(namespace(node), command);
    }

    /**
     * Sets the kernel's {@code key} in {@code node}'s namespace to {@code value} until the returned override is
     * closed, which restores the value it had (e.g. {@code net.ipv4.conf.all.arp_ignore} 8: a node that answers no
     * ARP request).
     */
    public SysctlOverride overrideSysctl(String node, String key, String value) {
        return new SysctlOverride(this, node, key, value);
    }

    /** Starts a long-running command inside {@code node}'s namespace, its output going to {@code log}. */
    public Process spawn(String node, List<String> command, Path log) {
        try {
            return new ProcessBuilder(Shell.inNamespace(namespace(node), command))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new LabException("cannot start " + command + " in " + node + ": " + e.getMessage(), e);
        }
    }

    /** Runs Java code in {@code node}'s namespace (its sockets live there). Close it when done. */
    public Netns netns(String node) {
        return Netns.of(namespace(node));
    }

    /** {@code node}'s neighbour table, IPv4 and IPv6. */
    public List<Neighbour> neighbours(String node) {
        String json = Shell.run("ip", "-j", "-n", namespace(node), "neigh", "show").orThrow().stdout();
        List<Neighbour> neighbours = new ArrayList<>();
        try {
            for (JsonNode entry : JSON.readTree(json.isBlank() ? "[]" : json)) {
                List<String> states = new ArrayList<>();
                entry.path("state").forEach(state -> states.add(state.asText()));
                neighbours.add(new Neighbour(entry.path("dst").asText(), entry.path("dev").asText(),
                        entry.hasNonNull("lladdr") ? entry.get("lladdr").asText() : null, List.copyOf(states)));
            }
        } catch (IOException e) {
            throw new LabException("cannot parse 'ip -j neigh' of " + node + ": " + e.getMessage(), e);
        }
        return neighbours;
    }

    /** The MAC address of {@code iface} in {@code node}, in lower case. */
    public String mac(String node, String iface) {
        String out = exec(node, "ip", "link", "show", iface).orThrow().stdout();
        Matcher address = LINK_ADDRESS.matcher(out);
        if (!address.find()) {
            throw new LabException("no MAC address for " + node + "/" + iface + " in: " + out);
        }
        return address.group(1).toLowerCase(Locale.ROOT);
    }

    /** Runs {@code ovs-vsctl} against the fabric's database. */
    @Override
    public CommandResult vsctl(String... args) {
        return fabric.vsctl(args);
    }

    /** Runs {@code ovs-ofctl} against the fabric's bridges (by name: {@code br-a}). */
    @Override
    public CommandResult ofctl(String... args) {
        return fabric.ofctl(args);
    }

    /** Runs {@code ovs-appctl} against the fabric's {@code ovs-vswitchd}, such as {@code fdb/show br-a}. */
    @Override
    public CommandResult appctl(String... args) {
        return fabric.appctl(args);
    }

    /**
     * The datapath id of {@code bridge} as Open vSwitch reports it (16 hex digits): the lab's own bridges have the
     * fixed ones of {@link Topology#datapathId}; a bridge added later has one Open vSwitch chose.
     */
    public String datapathId(String bridge) {
        return fabric.datapathId(bridge);
    }

    /**
     * {@code host}'s own Open vSwitch and its bridge {@value Topology#HOST_BRIDGE}, where its guests' taps go.
     *
     * @throws IllegalArgumentException for a host that is not one of {@link Topology#HYPERVISORS}
     */
    public HostSwitch hostSwitch(String host) {
        return new HostSwitch(host, topology.hostSwitchId(host),
                new OvsInstance(layout.hostOvsDir(host), layout.namespace(host)));
    }

    /** Every hypervisor host's own switch, in {@link Topology#HYPERVISORS} order. */
    public List<HostSwitch> hostSwitches() {
        return Topology.HYPERVISORS.stream().map(this::hostSwitch).toList();
    }

    /** The ports of a bridge. */
    public List<String> bridgePorts(String bridge) {
        return fabric.ports(bridge);
    }

    /**
     * Moves {@code node} onto {@code bridge}. A {@linkplain #dualHome dual-homed} host only sets one cable down
     * and the other up; any other host's cable is unplugged from its bridge and plugged into {@code bridge}.
     * Either way the namespace, its addresses and its TCP state move as a real VM does.
     */
    public void movePort(String node, String bridge) {
        DualHoming homing = dualHomed.get(node);
        if (homing != null && homing.reaches(bridge)) {
            switchCable(node, bridge);
            // A port added or removed makes Open vSwitch revalidate its cached flows at once; a cable switched
            // does not, and its first frames on the new port would follow flows cached before the move.
            refreshSwitches();
            return;
        }
        String port = port(node).switchSide();
        String current = fabric.vsctl("port-to-br", port).orThrow().stdout().strip();
        if (!current.equals(bridge)) {
            fabric.vsctl("del-port", current, port, "--", "add-port", bridge, port).orThrow();
            fabric.raisePacketBuffers();
        }
    }

    /**
     * Moves the {@linkplain #dualHome dual-homed} {@code node} onto {@code bridge}: one cable down, the other up, and
     * nothing else. Enough where the switches' tables change with the move itself (an SDN controller's flows);
     * learning bridges also need {@link #refreshSwitches()}, which {@link #movePort} adds.
     *
     * @throws IllegalArgumentException if {@code node} has no cable into {@code bridge}
     */
    public void switchCable(String node, String bridge) {
        DualHoming homing = dualHomed.get(node);
        if (homing == null || !homing.reaches(bridge)) {
            throw new IllegalArgumentException(node + " has no cable into " + bridge + " (see dualHome)");
        }
        homing.moveTo(bridge);
    }

    /**
     * Makes Open vSwitch forward by the tables as they are now: it drops its cached datapath flows, which otherwise
     * keep following a port a MAC has left until its revalidators next run (about a second in the lab). Through
     * the daemon's control socket: milliseconds. The flows come back from the next packets, each of which goes
     * through the slow path once, so this is no thing to do right before a burst.
     */
    public void refreshSwitches() {
        fabric.purgeCachedFlows();
        hostSwitches().forEach(HostSwitch::purgeCachedFlows);
    }

    /** The bridge {@code node} is on now. */
    public String bridgeOf(String node) {
        DualHoming homing = dualHomed.get(node);
        return homing != null ? homing.activeBridge()
                : fabric.vsctl("port-to-br", port(node).switchSide()).orThrow().stdout().strip();
    }

    /**
     * The switch's side of {@code node}'s cable into {@code bridge}: its own port on the bridge the topology plugs
     * it into, or the port of the cable {@link #dualHome} gives it.
     */
    public String switchPort(String node, String bridge) {
        Port port = port(node);
        return port.bridge().equals(bridge) ? port.switchSide() : DualHoming.switchSide(port, bridge);
    }

    /**
     * Adds {@code node}, a namespace VM cabled into {@code host}'s own switch: its {@code eth0}, with {@code mac} and
     * {@code ipv4} (with a prefix length), is port {@code node} of the host's bridge. Its namespace goes with the lab.
     * For tests of the controller's virtual networks (tenants' VMs on hypervisors); see {@link #moveToHostSwitch}.
     */
    public void plugIntoHostSwitch(String node, String host, String mac, String ipv4) {
        String vm = namespace(node);
        new io.cutover.lab.impl.StateJournal(layout.journal()).recordNamespace(vm);
        Shell.run("ip", "netns", "add", vm).orThrow();
        Shell.run("ip", "-n", vm, "link", "set", "lo", "up").orThrow();
        HostSwitchVm.cable(vm, node, hostSwitch(host), namespace(host), mac, ipv4);
    }

    /**
     * Moves {@code node} (see {@link #plugIntoHostSwitch}) to {@code host}'s own switch: its cable leaves the bridge it
     * is on and a new one, port {@code node} of {@code host}'s bridge, takes the same MAC and address; the namespace and
     * its sockets stay, as a migrated VM's state does.
     */
    public void moveToHostSwitch(String node, String host) {
        String vm = namespace(node);
        String mac = mac(node, HostSwitchVm.IFACE);
        String ipv4 = HostSwitchVm.ipv4(vm);
        for (HostSwitch from : hostSwitches()) {
            if (from.ports().contains(node)) {
                HostSwitchVm.uncable(vm, node, from);
            }
        }
        HostSwitchVm.cable(vm, node, hostSwitch(host), namespace(host), mac, ipv4);
    }

    /**
     * Gives {@code node} a second cable, into {@code standbyBridge}, kept down until {@link #movePort} moves
     * the host there, as a destination hypervisor plugs a VM's port before the migration ends. The host's
     * MAC and addresses move onto a Linux bridge inside it. Idempotent for this {@code Lab} object.
     *
     * @return the interface inside the host to send its frames from (the one that follows the moves)
     */
    public String dualHome(String node, String standbyBridge) {
        dualHomed.computeIfAbsent(node, n -> DualHoming.plug(port(n), namespace(n), namespace(Topology.FABRIC),
                fabric, bridgeOf(n), standbyBridge,
                topology.routes().stream().filter(route -> route.node().equals(n)).toList()));
        return DualHoming.BRIDGE;
    }

    /**
     * Starts the lab's replicated store, a three-member ZooKeeper ensemble ({@link ZooKeeperEnsemble}), and waits
     * until it has a leader. {@code lab down} stops it with the rest.
     *
     * @throws LabException when the lab already has one, or it does not come up (its logs are named)
     */
    public ZooKeeperEnsemble startStore() {
        return ZooKeeperEnsemble.start(this, new io.cutover.lab.impl.StateJournal(layout.journal()));
    }

    Path storeDir() {
        return layout.storeDir();
    }

    /** The lab's replicated store, if it was started. */
    public java.util.Optional<ZooKeeperEnsemble> store() {
        return ZooKeeperEnsemble.of(this);
    }

    /** The address of the lab's BIND server. */
    public String dnsServer() {
        return dns.address();
    }

    /** The TSIG key file (BIND {@code key {}} syntax, as {@code tsig-keygen} writes it). */
    public Path tsigKeyFile() {
        return dns.keyFile();
    }

    /** A key file of a key the lab's BIND knows but lets update nothing ({@link Topology#UNGRANTED_KEY_NAME}). */
    public Path ungrantedTsigKeyFile() {
        return dns.ungrantedKeyFile();
    }

    /** Stops the BIND server (to test what happens while DNS is down). */
    public void stopDns() {
        dns.stop();
    }

    /** Starts the BIND server again after {@link #stopDns()}. */
    public void startDns() {
        dns.start(null);
    }

    public boolean dnsRunning() {
        return dns.running();
    }

    /**
     * Removes the lab also when the JVM exits before {@link #close()} (Ctrl-C, SIGTERM), for labs that live
     * only as long as the program that made them: the demo, a benchmark, a test class.
     */
    public synchronized Lab removeAtExit() {
        if (exitHook == null) {
            exitHook = new Thread(() -> LabTeardown.remove(layout), "lab-exit-" + name());
            Runtime.getRuntime().addShutdownHook(exitHook);
        }
        return this;
    }

    /** Removes the lab and everything it made. */
    @Override
    public synchronized void close() {
        if (exitHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException exiting) {
                // the JVM is exiting: the hook removes the lab
            }
            exitHook = null;
        }
        dualHomed.values().forEach(DualHoming::close);
        down(name());
    }
}
