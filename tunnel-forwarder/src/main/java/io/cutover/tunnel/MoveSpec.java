package io.cutover.tunnel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One move as this forwarder sees it: which VM, which end, the peer, and how to tunnel.
 *
 * @param id          the move's name (the migration id of its {@code CutoverEvent}s)
 * @param vni         the VXLAN network identifier, one per move, 1..16777215
 * @param role        this forwarder's end
 * @param mode        L2 (frames) or L3 (IP packets)
 * @param vmMac       the VM's MAC, {@code 02:00:c6:12:00:64}
 * @param vmAddresses the VM's addresses whose traffic may be forwarded (its old ones)
 * @param newAddress  L3 only: the VM's address at the destination; inner destinations old to new are
 *                    rewritten there. {@code null}: delivered unchanged
 * @param peer        the other end's underlay address and UDP port
 * @param iface       SOURCE: the interface to catch on; DESTINATION: the interface to inject on
 * @param key         the long-term AES-GCM key of a sealed move (the default), or {@code null} for plain VXLAN, which
 *                    must be asked for with {@code insecurePlain}
 * @param hold        the blackout buffer's bounds
 * @param drain       when the tunnel ends
 * @param reverse     L3, delivered unchanged: the destination catches the VM's replies sourced from its old addresses
 *                    and tunnels them back, to be emitted at the old site (for networks with ingress filtering, as
 *                    Mobile IP's reverse tunnelling); {@code false}: triangle routing, the replies go their own way
 * @param insecurePlain the explicit opt-in to plain VXLAN without a key (what kernel VXLAN endpoints speak): frames
 *                    travel unauthenticated and in clear, and anyone on the underlay can inject some
 */
public record MoveSpec(String id, int vni, Role role, TunnelMode mode, String vmMac, List<InetAddress> vmAddresses,
                       InetAddress newAddress, InetSocketAddress peer, String iface, TunnelKey key,
                       HoldLimits hold, DrainPolicy drain, boolean reverse, boolean insecurePlain) {
    /** The largest VXLAN network identifier (24 bits). */
    public static final int MAX_VNI = 0xFFFFFF;
    private static final Pattern MAC = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public MoveSpec {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("move id must be 1-64 of [A-Za-z0-9._-], was '" + id + "'");
        }
        if (vni < 1 || vni > MAX_VNI) {
            throw new IllegalArgumentException("vni must be 1.." + MAX_VNI + ", was " + vni);
        }
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(vmMac, "vmMac");
        vmMac = vmMac.toLowerCase(Locale.ROOT);
        if (!MAC.matcher(vmMac).matches()) {
            throw new IllegalArgumentException("vmMac must look like 02:00:c6:12:00:64, was '" + vmMac + "'");
        }
        vmAddresses = List.copyOf(Objects.requireNonNull(vmAddresses, "vmAddresses"));
        if (vmAddresses.isEmpty()) {
            throw new IllegalArgumentException("vmAddresses must name at least one address");
        }
        if (newAddress != null && mode != TunnelMode.L3) {
            throw new IllegalArgumentException("newAddress is for L3 mode only");
        }
        Objects.requireNonNull(peer, "peer");
        if (peer.isUnresolved()) {
            throw new IllegalArgumentException("peer must be an IP address, was " + peer.getHostString());
        }
        if (key == null && !insecurePlain) {
            throw new IllegalArgumentException("no key: moves are sealed (AES-GCM) unless plain VXLAN is asked for "
                    + "explicitly (insecurePlain)");
        }
        if (key != null && insecurePlain) {
            throw new IllegalArgumentException("insecurePlain goes only with a move without a key");
        }
        Objects.requireNonNull(iface, "iface");
        if (iface.isBlank()) {
            throw new IllegalArgumentException("iface must not be blank");
        }
        hold = hold == null ? HoldLimits.DEFAULT : hold;
        drain = drain == null ? DrainPolicy.DEFAULT : drain;
        if (reverse && mode != TunnelMode.L3) {
            throw new IllegalArgumentException("reverse tunnelling is for L3 mode only");
        }
        if (reverse && newAddress != null) {
            throw new IllegalArgumentException("reverse tunnelling needs the VM to keep its old address (no newAddress): "
                    + "its replies are caught by their old source address");
        }
    }

    /** A sealed move with triangle routing (no reverse tunnel). */
    public MoveSpec(String id, int vni, Role role, TunnelMode mode, String vmMac, List<InetAddress> vmAddresses,
                    InetAddress newAddress, InetSocketAddress peer, String iface, TunnelKey key,
                    HoldLimits hold, DrainPolicy drain) {
        this(id, vni, role, mode, vmMac, vmAddresses, newAddress, peer, iface, key, hold, drain, false, false);
    }

    /** Whether packets are sealed with AES-GCM (always, unless {@code insecurePlain}). */
    public boolean authenticated() {
        return key != null;
    }

    /** The VM's MAC as 6 bytes. */
    public byte[] vmMacBytes() {
        return macBytes(vmMac);
    }

    /**
     * The Ethernet source the destination uses for what it injects: {@code 02:c0:7e} and the VNI. The
     * destination's switches learn it instead of the original sender's MAC, and the source never catches
     * (and so never loops) a frame that carries it.
     */
    public byte[] injectMac() {
        return new byte[] {0x02, (byte) 0xc0, 0x7e, (byte) (vni >>> 16), (byte) (vni >>> 8), (byte) vni};
    }

    /** {@link #injectMac()} as text. */
    public String injectMacText() {
        byte[] m = injectMac();
        return String.format(Locale.ROOT, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    }

    /** A copy of this move with another role and peer: the spec of the other end. */
    public MoveSpec otherEnd(InetSocketAddress otherPeer, String otherIface) {
        return new MoveSpec(id, vni, role == Role.SOURCE ? Role.DESTINATION : Role.SOURCE, mode, vmMac, vmAddresses,
                newAddress, otherPeer, otherIface, key, hold, drain, reverse, insecurePlain);
    }

    /** A copy of this sealed move with another key (or key reference). */
    public MoveSpec withKey(TunnelKey otherKey) {
        return new MoveSpec(id, vni, role, mode, vmMac, vmAddresses, newAddress, peer, iface, otherKey, hold, drain, reverse,
                insecurePlain);
    }

    static byte[] macBytes(String mac) {
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) Integer.parseInt(mac.substring(i * 3, i * 3 + 2), 16);
        }
        return bytes;
    }

    /** A builder, for readability where many fields take their defaults. */
    public static Builder builder(String id, int vni) {
        return new Builder(id, vni);
    }

    /** Builds a {@link MoveSpec}. */
    public static final class Builder {
        private final String id;
        private final int vni;
        private Role role = Role.SOURCE;
        private TunnelMode mode = TunnelMode.L2;
        private String vmMac;
        private List<InetAddress> vmAddresses = List.of();
        private InetAddress newAddress;
        private InetSocketAddress peer;
        private String iface;
        private TunnelKey key;
        private HoldLimits hold = HoldLimits.DEFAULT;
        private DrainPolicy drain = DrainPolicy.DEFAULT;
        private boolean reverse;
        private boolean insecurePlain;

        private Builder(String id, int vni) {
            this.id = id;
            this.vni = vni;
        }

        public Builder role(Role value) { this.role = value; return this; }
        public Builder mode(TunnelMode value) { this.mode = value; return this; }
        public Builder vmMac(String value) { this.vmMac = value; return this; }
        public Builder vmAddresses(List<InetAddress> value) { this.vmAddresses = value; return this; }
        public Builder newAddress(InetAddress value) { this.newAddress = value; return this; }
        public Builder peer(InetSocketAddress value) { this.peer = value; return this; }
        public Builder iface(String value) { this.iface = value; return this; }
        public Builder key(TunnelKey value) { this.key = value; return this; }
        public Builder hold(HoldLimits value) { this.hold = value; return this; }
        public Builder drain(DrainPolicy value) { this.drain = value; return this; }
        public Builder reverse(boolean value) { this.reverse = value; return this; }
        /** Plain VXLAN, without a key: only when a peer cannot seal (a kernel VXLAN endpoint). */
        public Builder insecurePlain(boolean value) { this.insecurePlain = value; return this; }

        public MoveSpec build() {
            return new MoveSpec(id, vni, role, mode, vmMac, vmAddresses, newAddress, peer, iface, key, hold, drain, reverse,
                    insecurePlain);
        }
    }
}
