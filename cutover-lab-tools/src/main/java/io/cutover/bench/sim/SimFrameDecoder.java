package io.cutover.bench.sim;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMessageReader;

import java.util.List;

/**
 * The switch's side of the wire: whole frames by their header's length, parsed by OpenFlowJ-Loxi, except the ONF
 * bundle messages (experimenter {@code 0x4f4e4600}, types 2300 and 2301), which Loxi lacks for OpenFlow 1.3 and which
 * are read here. A frame Loxi cannot parse becomes {@link SimMessage.Unparsed}, answered with an error as Open vSwitch
 * does; only a frame that breaks the framing itself (a bad version or length) ends the connection.
 */
final class SimFrameDecoder extends ByteToMessageDecoder {
    static final long ONF_EXPERIMENTER = 0x4f4e4600L;
    static final int ET_BUNDLE_CONTROL = 2300;
    static final int ET_BUNDLE_ADD = 2301;
    private static final int OFPT_EXPERIMENTER = 4;
    private static final int HEADER = 8;
    /** How much of a refused frame an error carries back (OpenFlow asks for at least 64 bytes). */
    private static final int HEAD = 64;

    private final OFMessageReader<OFMessage> reader = OFFactories.getGenericReader();

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= HEADER) {
            int start = in.readerIndex();
            int version = in.getUnsignedByte(start);
            int length = in.getUnsignedShort(start + 2);
            if (version < 1 || version > 6 || length < HEADER) {
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException("not an OpenFlow frame (version " + version + ", length " + length + ")");
            }
            if (in.readableBytes() < length) {
                return;
            }
            out.add(parse(in.readSlice(length)));
        }
    }

    private SimMessage parse(ByteBuf frame) {
        int start = frame.readerIndex();
        int type = frame.getUnsignedByte(start + 1);
        long xid = frame.getUnsignedInt(start + 4);
        byte[] head = ByteBufUtil.getBytes(frame, start, Math.min(HEAD, frame.readableBytes()));
        if (type == OFPT_EXPERIMENTER && frame.readableBytes() >= 16
                && frame.getUnsignedInt(start + 8) == ONF_EXPERIMENTER) {
            long subtype = frame.getUnsignedInt(start + 12);
            if (subtype == ET_BUNDLE_CONTROL && frame.readableBytes() >= 24) {
                return new SimMessage.BundleControl(xid, frame.getUnsignedInt(start + 16),
                        frame.getUnsignedShort(start + 20), frame.getUnsignedShort(start + 22), head);
            }
            if (subtype == ET_BUNDLE_ADD && frame.readableBytes() >= 24 + HEADER) {
                long bundleId = frame.getUnsignedInt(start + 16);
                OFMessage inner = read(frame.slice(start + 24, frame.readableBytes() - 24));
                return inner == null ? new SimMessage.Unparsed(xid, type, "a bundled message it cannot parse", head)
                        : new SimMessage.BundleAdd(xid, bundleId, inner, head);
            }
            return new SimMessage.Unparsed(xid, type, "ONF experimenter type " + subtype, head);
        }
        OFMessage message = read(frame);
        return message == null ? new SimMessage.Unparsed(xid, type, "message type " + type, head)
                : new SimMessage.Parsed(message, head);
    }

    private OFMessage read(ByteBuf frame) {
        try {
            OFMessage message = reader.readFrom(frame);
            return message != null && !frame.isReadable() ? message : null;
        } catch (OFParseError | RuntimeException e) {
            return null;
        }
    }
}
