package io.cutover.agent.steps;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

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
 */
public record TunnelMove(String id, int vni, String mode, String vmMac, List<String> vmAddresses, String key) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_VNI = (1 << 24) - 1;

    /** A move for cutover {@code id}, with a fresh identifier and key. */
    public static TunnelMove fresh(String id, boolean wan, String vmMac, List<String> vmAddresses) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return new TunnelMove(id, 1 + RANDOM.nextInt(MAX_VNI), wan ? "L3" : "L2", vmMac, List.copyOf(vmAddresses),
                Base64.getEncoder().encodeToString(secret));
    }

    /**
     * The move as one end's daemon takes it ({@code POST /v1/moves}).
     *
     * @param role  {@code SOURCE} or {@code DESTINATION}
     * @param peer  the other end's underlay address, {@code HOST:PORT}
     * @param iface this end's interface on the VMs' side, or {@code null} to leave it to that end's agent
     */
    public java.util.Map<String, Object> at(String role, String peer, String iface) {
        java.util.Map<String, Object> move = new java.util.LinkedHashMap<>();
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
        return move;
    }
}
