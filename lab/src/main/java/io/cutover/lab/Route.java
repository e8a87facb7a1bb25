package io.cutover.lab;

/**
 * A static route inside one host.
 *
 * @param node        the host
 * @param destination a prefix, or {@code default}
 * @param via         the next hop
 */
public record Route(String node, String destination, String via) {
}
