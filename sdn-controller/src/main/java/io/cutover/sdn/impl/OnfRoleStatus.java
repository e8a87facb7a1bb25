package io.cutover.sdn.impl;

import io.netty.buffer.ByteBuf;

/**
 * The ONF role-status extension for OpenFlow 1.3 (ONFT_ROLE_STATUS 1911, experimenter {@code 0x4f4e4600}), which Open
 * vSwitch sends a controller whose role another controller's role request changed: the deposed master learns it is a
 * slave now, with the new master's generation id. OpenFlowJ-Loxi has role status for OpenFlow 1.4 only.
 *
 * @param xid        the message's transaction id
 * @param role       the role the switch now gives this connection (OpenFlow's numbering: 1 equal, 2 master, 3 slave)
 * @param reason     why (0: another controller's master request, 1: configuration, 2: experimenter)
 * @param generation the generation id the switch holds now
 */
record OnfRoleStatus(long xid, long role, int reason, long generation) {
    static final int ONFT_ROLE_STATUS = 1911;
    static final long ROLE_SLAVE = 3;
    private static final int LENGTH = 32;

    /** Whether the frame (an OpenFlow 1.3 message, read index at its start) is a role status. */
    static boolean is(ByteBuf frame) {
        int start = frame.readerIndex();
        return frame.readableBytes() == LENGTH && frame.getUnsignedByte(start) == OnfBundleMessage.OF13
                && frame.getUnsignedByte(start + 1) == OnfBundleMessage.OFPT_EXPERIMENTER
                && frame.getUnsignedInt(start + 8) == OnfBundleMessage.ONF_EXPERIMENTER
                && frame.getUnsignedInt(start + 12) == ONFT_ROLE_STATUS;
    }

    /** Reads a frame {@link #is} accepted. */
    static OnfRoleStatus read(ByteBuf frame) {
        int start = frame.readerIndex();
        OnfRoleStatus status = new OnfRoleStatus(frame.getUnsignedInt(start + 4), frame.getUnsignedInt(start + 16),
                frame.getUnsignedByte(start + 20), frame.getLong(start + 24));
        frame.skipBytes(LENGTH);
        return status;
    }

    /** Whether the switch made this connection a slave. */
    boolean slave() {
        return role == ROLE_SLAVE;
    }
}
