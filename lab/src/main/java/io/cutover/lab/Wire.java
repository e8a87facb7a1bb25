package io.cutover.lab;

/**
 * A cable straight between two hosts, with no switch: the underlay and the router links.
 *
 * @param nodeA  one host
 * @param ifaceA its interface
 * @param ipv4A  its address with prefix
 * @param nodeB  the other host
 * @param ifaceB its interface
 * @param ipv4B  its address with prefix
 */
public record Wire(String nodeA, String ifaceA, String ipv4A, String nodeB, String ifaceB, String ipv4B) {

    /** {@code nodeA}'s address without its prefix. */
    public String addressA() {
        return Port.withoutPrefix(ipv4A);
    }

    /** {@code nodeB}'s address without its prefix. */
    public String addressB() {
        return Port.withoutPrefix(ipv4B);
    }
}
