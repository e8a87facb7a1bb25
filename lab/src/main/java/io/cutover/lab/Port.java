package io.cutover.lab;

/**
 * A host's interface plugged into a lab bridge.
 *
 * @param node   the host (a namespace of the lab)
 * @param iface  the interface name inside the host
 * @param bridge the Open vSwitch bridge the cable leads to
 * @param ipv4   address with prefix, such as {@code 198.18.0.10/24}
 * @param ipv6   address with prefix, or {@code null}
 * @param mac    a fixed MAC address, or {@code null} for a random one
 */
public record Port(String node, String iface, String bridge, String ipv4, String ipv6, String mac) {

    /** The name of the cable's end on the switch side: the host's name, unique among a lab's ports. */
    public String switchSide() {
        return node;
    }

    /** The IPv4 address without its prefix. */
    public String ipv4Address() {
        return withoutPrefix(ipv4);
    }

    /** The IPv6 address without its prefix, or {@code null}. */
    public String ipv6Address() {
        return ipv6 == null ? null : withoutPrefix(ipv6);
    }

    static String withoutPrefix(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }
}
