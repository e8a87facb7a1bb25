package io.cutover.sdn;

/**
 * A cable between two switches, each named by its datapath id: port {@code portA} of {@code switchA} leads to port
 * {@code portB} of {@code switchB} (such as {@code a-to-tor} and {@code tor-to-a}). Links must form a tree:
 * broadcasts are flooded along them, so the controller refuses links that make a loop. Frames cross a link untagged:
 * a link carries one network's traffic (the lowest network id among the endpoints), until an overlay carries the
 * network's id between switches.
 */
public record Link(Dpid switchA, String portA, Dpid switchB, String portB) {
    public Link {
        if (switchA == null || switchB == null) {
            throw new IllegalArgumentException((switchA == null ? "switchA" : "switchB")
                    + " is missing (a datapath id, such as 0000a2b3c4d5e6f7)");
        }
        Endpoint.requireText("portA", portA);
        Endpoint.requireText("portB", portB);
        if (switchA.equals(switchB)) {
            throw new IllegalArgumentException("link joins " + switchA + " to itself");
        }
    }
}
