package io.cutover.lab;

import io.cutover.lab.impl.OvsInstance;

import java.util.List;

/**
 * A hypervisor host's own Open vSwitch, as on a real host: its {@code ovsdb-server} and {@code ovs-vswitchd} run in the
 * host's namespace, with one bridge, {@value Topology#HOST_BRIDGE}, for the guests' taps (the userspace datapath takes
 * a tap only in the namespace where {@code ovs-vswitchd} runs), uplinked to the host's site bridge in the fabric. Every
 * host's bridge has the same name; the controller tells them apart by datapath id ({@link #datapathId()}).
 *
 * <pre>{@code
 * HostSwitch hostA = lab.hostSwitch("hostA");
 * hostA.addPort(guest.tap());
 * }</pre>
 */
public final class HostSwitch implements OvsTools {
    /** The bridge's port towards the fabric. */
    public static final String UPLINK = "uplink";
    /**
     * The host's forwarder port: an internal port of the bridge, an interface of the host's namespace by the same name,
     * where the host's tunnel daemon captures what the controller redirects to it and injects what it delivers.
     */
    public static final String FORWARDER = "fwd";

    private final String host;
    private final String datapathId;
    private final OvsInstance ovs;

    HostSwitch(String host, String datapathId, OvsInstance ovs) {
        this.host = host;
        this.datapathId = datapathId;
        this.ovs = ovs;
    }

    /**
     * The bridge's overlay tunnel port to {@code peer}'s bridge, such as {@code gnv-hostB}: Geneve over the hosts'
     * overlay underlay, the network's VNI in the tunnel id (see {@link Topology#OVERLAY_BRIDGE}).
     */
    public static String tunnelPort(String peer) {
        return "gnv-" + peer;
    }

    /** The fabric's side of {@code host}'s uplink, a port on the host's site bridge. */
    public static String fabricSide(String host) {
        return "up-" + host;
    }

    public String host() {
        return host;
    }

    /** The bridge's name, {@value Topology#HOST_BRIDGE} on every host. */
    public String bridge() {
        return Topology.HOST_BRIDGE;
    }

    /** The bridge's datapath id, 16 hex digits: the controller's key for it. */
    public String datapathId() {
        return datapathId;
    }

    /** Plugs {@code port} (an interface of the host's namespace, such as a guest's tap) into the bridge. */
    public void addPort(String port) {
        ovs.addPort(bridge(), port);
    }

    /** Unplugs {@code port}; nothing happens if it is not on the bridge. */
    public void removePort(String port) {
        ovs.vsctl("--if-exists", "del-port", bridge(), port).orThrow();
    }

    public List<String> ports() {
        return ovs.ports(bridge());
    }

    /** Runs {@code ovs-vsctl} against this host's database. */
    @Override
    public CommandResult vsctl(String... args) {
        return ovs.vsctl(args);
    }

    /** Runs {@code ovs-ofctl} against this host's bridge, which {@code args} names by {@link #bridge()}. */
    @Override
    public CommandResult ofctl(String... args) {
        return ovs.ofctl(args);
    }

    /** Runs {@code ovs-appctl} against this host's {@code ovs-vswitchd}. */
    @Override
    public CommandResult appctl(String... args) {
        return ovs.appctl(args);
    }

    /** Drops the daemon's cached datapath flows (see {@link Lab#refreshSwitches()}). */
    public void purgeCachedFlows() {
        ovs.purgeCachedFlows();
    }

    @Override
    public String toString() {
        return host + "'s " + bridge() + " (" + datapathId + ")";
    }
}
