package io.cutover.bench.sim;

import java.util.List;

/**
 * A simulated switch: its datapath id, its bridge's name (its LOCAL port's, as Open vSwitch reports it) and its ports'
 * names, numbered 1, 2, ... in this order.
 */
public record SwitchSpec(long dpid, String name, List<String> ports) {
    public SwitchSpec {
        if (name == null || name.isBlank() || name.length() > 15) {
            throw new IllegalArgumentException("a switch name is 1 to 15 characters: '" + name + "'");
        }
        ports = List.copyOf(ports);
        for (String port : ports) {
            if (port.isBlank() || port.length() > 15) {
                throw new IllegalArgumentException("a port name is 1 to 15 characters: '" + port + "'");
            }
        }
        if (ports.stream().distinct().count() != ports.size()) {
            throw new IllegalArgumentException("switch " + name + " names a port twice");
        }
    }
}
