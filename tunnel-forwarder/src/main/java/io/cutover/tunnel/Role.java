package io.cutover.tunnel;

/** Which end of a move this forwarder is. */
public enum Role {
    /** The old host: catches what still arrives for the VM, holds it during the blackout, sends it into the tunnel. */
    SOURCE,
    /** The new host: receives from the tunnel and injects toward the VM. */
    DESTINATION
}
