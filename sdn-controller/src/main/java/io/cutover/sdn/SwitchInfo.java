package io.cutover.sdn;

import java.util.Map;

/**
 * A switch as the controller knows it.
 *
 * @param dpid      its datapath id: the switch's key everywhere
 * @param name      the name of its LOCAL port (the bridge's name in Open vSwitch, such as {@code br-int}): a label,
 *                  not unique, {@code null} for a switch known only from the model
 * @param connected whether its session is up (handshake done)
 * @param ports     port names to OpenFlow port numbers
 */
public record SwitchInfo(Dpid dpid, String name, boolean connected, Map<String, Integer> ports) {
    public SwitchInfo {
        ports = Map.copyOf(ports);
    }
}
