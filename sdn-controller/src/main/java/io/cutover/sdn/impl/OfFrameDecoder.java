package io.cutover.sdn.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMessageReader;

import java.util.List;

/**
 * Bytes to OpenFlow messages: waits for a whole frame (its header's length), then hands it to OpenFlowJ-Loxi, or
 * reads it as an {@link OnfBundleMessage.Control}. A frame that cannot be a valid OpenFlow message throws a
 * {@link CorruptedFrameException} naming the field; after one, the rest of the stream is discarded (the connection
 * is closed by the session).
 */
public final class OfFrameDecoder extends ByteToMessageDecoder {
    /** The smallest OpenFlow message: its header. */
    public static final int HEADER_LENGTH = 8;
    private static final int MIN_VERSION = 0x01;
    private static final int MAX_VERSION = 0x06;

    private final OFMessageReader<OFMessage> reader = OFFactories.getGenericReader();
    private boolean corrupted;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (corrupted) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= HEADER_LENGTH) {
            int start = in.readerIndex();
            int version = in.getUnsignedByte(start);
            if (version < MIN_VERSION || version > MAX_VERSION) {
                corrupted = true;
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException("version 0x" + Integer.toHexString(version) + " is not OpenFlow");
            }
            int length = in.getUnsignedShort(start + 2);
            if (length < HEADER_LENGTH) {
                corrupted = true;
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException("length " + length + " is shorter than the OpenFlow header");
            }
            if (in.readableBytes() < length) {
                return;
            }
            ByteBuf frame = in.readSlice(length);
            try {
                out.add(parse(frame, version, in.getUnsignedByte(start + 1), length));
            } catch (CorruptedFrameException e) {
                corrupted = true;
                in.skipBytes(in.readableBytes());
                throw e;
            }
        }
    }

    private Object parse(ByteBuf frame, int version, int type, int length) {
        try {
            if (OnfBundleMessage.isBundleControl(frame)) {
                return OnfBundleMessage.readControl(frame);
            }
            if (OnfRoleStatus.is(frame)) {
                return OnfRoleStatus.read(frame);
            }
            OFMessage message = reader.readFrom(frame);
            if (message == null) {
                throw new CorruptedFrameException("message type " + type + " (version " + version + ") of length "
                        + length + " is incomplete");
            }
            if (frame.isReadable()) {
                throw new CorruptedFrameException("message type " + type + " has " + frame.readableBytes()
                        + " bytes beyond its body");
            }
            return message;
        } catch (CorruptedFrameException e) {
            throw e;
        } catch (OFParseError | RuntimeException e) {
            String reason = e.getMessage() == null ? "unparseable body (" + e.getClass().getSimpleName() + ")"
                    : e.getMessage();
            throw new CorruptedFrameException("message type " + type + " (version " + version + ", length " + length
                    + "): " + reason, e);
        }
    }
}
