package io.cutover.lab;

import java.util.List;

/**
 * One entry of a namespace's neighbour table, as {@code ip neigh} shows it.
 *
 * @param address the IPv4 or IPv6 address
 * @param device  the interface
 * @param mac     the link-layer address, or {@code null} when the entry is incomplete or failed
 * @param states  the kernel's NUD states, such as {@code REACHABLE} or {@code STALE}
 */
public record Neighbour(String address, String device, String mac, List<String> states) {
}
