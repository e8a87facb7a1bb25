package io.cutover.sdn;

/**
 * A cable between two switches: port {@code portA} of {@code switchA} leads to port {@code portB} of
 * {@code switchB} (such as {@code br-a}/{@code a-to-tor} and {@code br-tor}/{@code tor-to-a}). Links must form a
 * tree: broadcasts are flooded along them.
 */
public record Link(String switchA, String portA, String switchB, String portB) {
    public Link {
        Endpoint.requireText("switchA", switchA);
        Endpoint.requireText("portA", portA);
        Endpoint.requireText("switchB", switchB);
        Endpoint.requireText("portB", portB);
        if (switchA.equals(switchB)) {
            throw new IllegalArgumentException("link joins " + switchA + " to itself");
        }
    }
}
