package io.cutover.sdn;

import java.util.Map;

/**
 * A switch as the controller knows it.
 *
 * @param name      the name of its LOCAL port (the bridge's name in Open vSwitch)
 * @param dpid      its datapath id, as 16 hex digits
 * @param connected whether its session is up (handshake done)
 * @param ports     port names to OpenFlow port numbers
 */
public record SwitchInfo(String name, String dpid, boolean connected, Map<String, Integer> ports) {
    public SwitchInfo {
        ports = Map.copyOf(ports);
    }
}
