package io.cutover.sdn.impl;

import io.netty.buffer.ByteBuf;
import org.projectfloodlight.openflow.protocol.OFMessage;

/**
 * The ONF bundle extension for OpenFlow 1.3 (ONF_ET_BUNDLE_CONTROL 2300, ONF_ET_BUNDLE_ADD_MESSAGE 2301, experimenter
 * {@code 0x4f4e4600}), which Open vSwitch implements and OpenFlowJ-Loxi only has for OpenFlow 1.4. The body equals
 * OpenFlow 1.4's {@code ofp_bundle_ctrl_msg} and {@code ofp_bundle_add_msg}.
 */
public final class OnfBundleMessage {
    /** The ONF experimenter id. */
    public static final long ONF_EXPERIMENTER = 0x4f4e4600L;
    public static final int ET_BUNDLE_CONTROL = 2300;
    public static final int ET_BUNDLE_ADD_MESSAGE = 2301;
    public static final int OFPT_EXPERIMENTER = 4;
    public static final int OF13 = 0x04;
    /** Bundle flags: atomic and ordered. */
    public static final int FLAGS_ATOMIC_ORDERED = 0x3;

    /** The bundle control types. */
    public enum ControlType {
        OPEN_REQUEST, OPEN_REPLY, CLOSE_REQUEST, CLOSE_REPLY, COMMIT_REQUEST, COMMIT_REPLY, DISCARD_REQUEST,
        DISCARD_REPLY;

        static ControlType of(int code) {
            if (code < 0 || code >= values().length) {
                throw new IllegalArgumentException("unknown bundle control type " + code);
            }
            return values()[code];
        }
    }

    private OnfBundleMessage() {
    }

    /** A bundle control message, sent or received. */
    public record Control(long xid, long bundleId, ControlType type, int flags) {
        public void writeTo(ByteBuf out) {
            out.writeByte(OF13).writeByte(OFPT_EXPERIMENTER).writeShort(24).writeInt((int) xid);
            out.writeInt((int) ONF_EXPERIMENTER).writeInt(ET_BUNDLE_CONTROL);
            out.writeInt((int) bundleId).writeShort(type.ordinal()).writeShort(flags);
        }
    }

    /** A message added to a bundle; its xid is the inner message's xid, as Open vSwitch requires. */
    public record Add(long bundleId, int flags, OFMessage message) {
        public void writeTo(ByteBuf out) {
            int start = out.writerIndex();
            out.writeByte(OF13).writeByte(OFPT_EXPERIMENTER).writeShort(0).writeInt((int) message.getXid());
            out.writeInt((int) ONF_EXPERIMENTER).writeInt(ET_BUNDLE_ADD_MESSAGE);
            out.writeInt((int) bundleId).writeShort(0).writeShort(flags);
            message.writeTo(out);
            out.setShort(start + 2, out.writerIndex() - start);
        }
    }

    /** Whether the complete frame at {@code frame}'s reader index is an ONF bundle control message. */
    static boolean isBundleControl(ByteBuf frame) {
        int at = frame.readerIndex();
        return frame.readableBytes() >= 16 && frame.getUnsignedByte(at) == OF13
                && frame.getUnsignedByte(at + 1) == OFPT_EXPERIMENTER
                && frame.getUnsignedInt(at + 8) == ONF_EXPERIMENTER
                && frame.getUnsignedInt(at + 12) == ET_BUNDLE_CONTROL;
    }

    /** Reads a bundle control message (the whole frame). */
    static Control readControl(ByteBuf frame) {
        if (frame.readableBytes() < 24) {
            throw new IllegalArgumentException("bundle control message shorter than 24 bytes");
        }
        frame.skipBytes(4);
        long xid = frame.readUnsignedInt();
        frame.skipBytes(8);
        long bundleId = frame.readUnsignedInt();
        ControlType type = ControlType.of(frame.readUnsignedShort());
        int flags = frame.readUnsignedShort();
        frame.skipBytes(frame.readableBytes());
        return new Control(xid, bundleId, type, flags);
    }
}
