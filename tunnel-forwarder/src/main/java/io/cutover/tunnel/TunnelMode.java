package io.cutover.tunnel;

/** What the tunnel carries and how the destination delivers it. */
public enum TunnelMode {
    /** Whole Ethernet frames in VXLAN (RFC 7348), delivered to the VM's MAC as they were sent. */
    L2,
    /**
     * IP packets (carried in the same VXLAN frame format); the destination rebuilds the Ethernet header
     * toward the VM and, when the move names a new address, rewrites the inner destination old to new with
     * checksums fixed.
     */
    L3
}
