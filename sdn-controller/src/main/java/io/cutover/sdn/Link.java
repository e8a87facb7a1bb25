package io.cutover.sdn;

/**
 * What joins two switches, each named by its datapath id: port {@code portA} of {@code switchA} leads to port
 * {@code portB} of {@code switchB} (such as {@code a-to-tor} and {@code tor-to-a}). Two kinds:
 * <ul>
 *   <li>a cable ({@code overlay} false, the default): frames cross it untagged, so it carries one network's traffic
 *       (the lowest network id among the endpoints). Cables must form a tree: broadcasts are flooded along them, so
 *       the controller refuses cables that make a loop;</li>
 *   <li>an overlay tunnel ({@code overlay} true): a pair of tunnel ports (Geneve or VXLAN with {@code key=flow})
 *       between two hypervisors' switches, over their underlay. Frames cross it with their network's VNI in the
 *       tunnel id, so it carries every network. Tunnels may form a full mesh: what arrives from a tunnel is never sent
 *       into another (split horizon). So that nothing arrives twice, a tunnel joins switches that no cables join, and
 *       one switch of each cabled segment at most ends tunnels.</li>
 * </ul>
 */
public record Link(Dpid switchA, String portA, Dpid switchB, String portB, boolean overlay) {
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

    /** A cable. */
    public Link(Dpid switchA, String portA, Dpid switchB, String portB) {
        this(switchA, portA, switchB, portB, false);
    }

    /** An overlay tunnel between two hypervisors' switches. */
    public static Link overlay(Dpid switchA, String portA, Dpid switchB, String portB) {
        return new Link(switchA, portA, switchB, portB, true);
    }
}
