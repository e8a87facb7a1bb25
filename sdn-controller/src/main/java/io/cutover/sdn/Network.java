package io.cutover.sdn;

/**
 * A virtual network: the number its endpoints name ({@link Endpoint#network()}, part of their flows' cookie and the
 * metadata their frames carry on a switch), and the VXLAN network identifier that carries it between hypervisors.
 * Its id and VNI are apart so that an overlay's VNIs (set by whoever runs the fabric, often from a range of their own)
 * need not fit the controller's 16-bit network ids.
 *
 * @param id   1..{@value Cookie#MAX_NETWORK}, unique among networks
 * @param vni  1..{@value #MAX_VNI} (24 bits; 0 is left out as "none"), unique among networks
 * @param name a label for people, such as {@code tenant-a}
 */
public record Network(int id, int vni, String name) {
    /** The largest VXLAN network identifier (24 bits). */
    public static final int MAX_VNI = 0xFFFFFF;

    public Network {
        if (id < 1 || id > Cookie.MAX_NETWORK) {
            throw new IllegalArgumentException("network id " + id + " is outside 1.." + Cookie.MAX_NETWORK);
        }
        if (vni < 1 || vni > MAX_VNI) {
            throw new IllegalArgumentException("network " + id + ": vni " + vni + " is outside 1.." + MAX_VNI);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("network " + id + ": name is missing");
        }
    }
}
