package io.cutover.agent.steps;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A brownout tunnel's move as both ends register it, made by the source's agent for one cutover: its own VXLAN
 * network identifier and its own key, so that no two cutovers (of one VM or of several) share either.
 *
 * @param id          the move's name at both daemons: the cutover's id
 * @param vni         its VXLAN network identifier, 1 to 2^24 - 1
 * @param mode        {@code L2} on a LAN (frames), {@code L3} on a WAN (IP packets to the old addresses)
 * @param vmMac       the VM's MAC
 * @param vmAddresses the VM's addresses before the move
 * @param key         the move's AES-GCM key, base64
 * @param drain       the move's drain policy as the daemon takes it ({@code idle}, {@code hardMax}, {@code dnsTtl});
 *                    empty for the daemon's defaults
 */
public record TunnelMove(String id, int vni, String mode, String vmMac, List<String> vmAddresses, String key,
                         Map<String, String> drain) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_VNI = (1 << 24) - 1;

    public TunnelMove {
        drain = drain == null ? Map.of() : Map.copyOf(drain);
    }

    /** A move with the daemon's default drain. */
    public TunnelMove(String id, int vni, String mode, String vmMac, List<String> vmAddresses, String key) {
        this(id, vni, mode, vmMac, vmAddresses, key, Map.of());
    }

    /** A move for cutover {@code id}, with a fresh identifier and key. */
    public static TunnelMove fresh(String id, boolean wan, String vmMac, List<String> vmAddresses) {
        return fresh(id, wan, vmMac, vmAddresses, Map.of());
    }

    /** {@link #fresh(String, boolean, String, List)} with its drain policy's fields. */
    public static TunnelMove fresh(String id, boolean wan, String vmMac, List<String> vmAddresses,
                                   Map<String, String> drain) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return new TunnelMove(id, 1 + RANDOM.nextInt(MAX_VNI), wan ? "L3" : "L2", vmMac, List.copyOf(vmAddresses),
                Base64.getEncoder().encodeToString(secret), drain);
    }

    /**
     * The move as one end's daemon takes it ({@code POST /v1/moves}).
     *
     * @param role  {@code SOURCE} or {@code DESTINATION}
     * @param peer  the other end's underlay address, {@code HOST:PORT}
     * @param iface this end's interface on the VMs' side, or {@code null} to leave it to that end's agent
     */
    public Map<String, Object> at(String role, String peer, String iface) {
        Map<String, Object> move = new LinkedHashMap<>();
        move.put("id", id);
        move.put("vni", vni);
        move.put("role", role);
        move.put("mode", mode);
        move.put("vmMac", vmMac);
        move.put("vmAddresses", vmAddresses);
        move.put("peer", peer);
        if (iface != null) {
            move.put("iface", iface);
        }
        move.put("key", key);
        if (!drain.isEmpty()) {
            move.put("drain", new LinkedHashMap<>(drain));
        }
        return move;
    }
}
