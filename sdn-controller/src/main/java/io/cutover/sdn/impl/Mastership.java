package io.cutover.sdn.impl;

import io.cutover.sdn.ControllerRole;
import io.cutover.sdn.NotMasterException;
import org.projectfloodlight.openflow.protocol.OFControllerRole;

/**
 * The controller's role and the generation id that goes with it (see {@link ControllerRole}). Read and changed on the
 * controller's core thread only.
 */
final class Mastership {
    private ControllerRole role;
    private long generation;

    Mastership(ControllerRole role, long generation) {
        this.role = role;
        this.generation = generation;
    }

    ControllerRole role() {
        return role;
    }

    long generation() {
        return generation;
    }

    void set(ControllerRole newRole, long newGeneration) {
        role = newRole;
        generation = newGeneration;
    }

    /** Whether the controller may write the switches' flows. */
    boolean writes() {
        return role != ControllerRole.SLAVE;
    }

    /** Whether role requests go to the switches (not for a controller alone). */
    boolean requestsRoles() {
        return role != ControllerRole.EQUAL;
    }

    /** Refuses a change while a slave. */
    void requireWrites(String change) {
        if (!writes()) {
            throw new NotMasterException("this controller is a slave (generation " + generation + "): " + change
                    + " is for the master");
        }
    }

    static OFControllerRole openFlow(ControllerRole role) {
        return switch (role) {
            case MASTER -> OFControllerRole.ROLE_MASTER;
            case SLAVE -> OFControllerRole.ROLE_SLAVE;
            case EQUAL -> OFControllerRole.ROLE_EQUAL;
        };
    }
}
