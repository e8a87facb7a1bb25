package io.cutover.migration.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Bytes to frames, strictly: an unknown type, a wrong magic, a frame the other side may not send, a payload
 * longer than its type allows, a page index outside the guest, a page of the wrong length or a frame before
 * HELLO each raise a {@link MigrationProtocolException} naming the problem; after one, the rest of the
 * stream is ignored.
 *
 * <p>At the destination the decoder learns the guest's geometry from HELLO (which it emits as a
 * {@link Hello}); every other frame comes out as a {@link Frame} whose payload is a slice of the stream.
 *
 * <p>What waits for the rest of a frame stays small whatever the sender's pace: until HELLO the destination copies
 * the bytes into one buffer (a HELLO is at most 4 KiB), and after it a stream read in many small pieces is
 * compacted once it holds more than {@value #MAX_PIECES} of them, so that a byte per TCP segment cannot pin a
 * receive buffer per byte.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** Pieces a partial frame may be held in before it is compacted into one buffer. */
    static final int MAX_PIECES = 32;
    private final boolean atDestination;
    private final long maxGuestBytes;
    private boolean failed;
    private int pageSize;
    private long pageCount = -1;

    /**
     * @param atDestination whether this end is the destination (it decodes the source's frames)
     * @param maxGuestBytes the largest guest the destination accepts
     */
    public FrameDecoder(boolean atDestination, long maxGuestBytes) {
        this.atDestination = atDestination;
        this.maxGuestBytes = maxGuestBytes;
        // pages are copied once, from the socket's buffers into guest memory, not first into one cumulation; a
        // destination copies until HELLO, so that a stranger's trickle holds no socket buffers
        setCumulator(atDestination ? MERGE_CUMULATOR : COMPOSITE_CUMULATOR);
    }

    /** The guest's geometry, at the source (which knows it). */
    public FrameDecoder geometry(int pageSize, long pageCount) {
        this.pageSize = pageSize;
        this.pageCount = pageCount;
        return this;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            decodeFrames(in, out);
            if (in instanceof CompositeByteBuf pieces && pieces.numComponents() > MAX_PIECES && in.refCnt() == 1) {
                pieces.discardReadComponents();
                pieces.consolidate();
            }
        } catch (MigrationProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    /**
     * After the handlers behind have seen the end of the read (the destination writes the pages it held then, and
     * releases their slices), the pieces read through are given back, so that their buffers serve the next reads.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        super.channelReadComplete(ctx);
        discardSomeReadBytes();
    }

    private void decodeFrames(ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= Frames.HEADER_BYTES) {
            int start = in.readerIndex();
            int code = in.getUnsignedByte(start);
            int flags = in.getUnsignedByte(start + 1);
            int magic = in.getUnsignedShort(start + 2);
            long length = in.getUnsignedInt(start + 4);
            long arg = in.getLong(start + 8);
            if (magic != Frames.MAGIC) {
                throw new MigrationProtocolException(String.format(
                        "not a migration frame: magic 0x%04x, expected 0x%04x", magic, Frames.MAGIC));
            }
            FrameType type = FrameType.of(code);
            if (type == null) {
                throw new MigrationProtocolException("unknown frame type " + code);
            }
            if (!type.sentBy(atDestination)) {
                throw new MigrationProtocolException(type + " may not be sent by the "
                        + (atDestination ? "source" : "destination"));
            }
            checkOrder(type);
            if (length > type.maxPayload()) {
                throw new MigrationProtocolException(type + ": payload of " + length + " bytes exceeds "
                        + type.maxPayload());
            }
            if (type == FrameType.PAGE) {
                checkPage(flags, length, arg);
            } else if (type == FrameType.MISSING && (length % 8 != 0 || arg < 0
                    || length / 8 > (pageCount + 63) / 64 - arg)) {
                throw new MigrationProtocolException("MISSING: " + length + " bytes at word " + arg
                        + " do not fit a bitmap of " + pageCount + " pages");
            } else if (type == FrameType.PAGE_REQUEST && (arg < 0 || arg >= pageCount)) {
                throw new MigrationProtocolException("PAGE_REQUEST: index " + arg + " out of range [0, " + pageCount + ")");
            } else if (flags != 0 && !(type == FrameType.COMMIT_REQUEST && flags == Frames.COMMIT_FULL_CHECK)) {
                throw new MigrationProtocolException(type + ": unknown flags " + flags);
            }
            if (in.readableBytes() < Frames.HEADER_BYTES + length) {
                return;
            }
            in.skipBytes(Frames.HEADER_BYTES);
            int size = (int) length;
            if (type == FrameType.HELLO) {
                Hello hello = Hello.read(in.readSlice(size), arg);
                if ((double) hello.pageCount() * hello.pageSize() > maxGuestBytes) {
                    throw new MigrationProtocolException("HELLO: a guest of " + hello.pageCount() * hello.pageSize()
                            + " bytes exceeds this target's limit of " + maxGuestBytes);
                }
                pageSize = hello.pageSize();
                pageCount = hello.pageCount();
                setCumulator(COMPOSITE_CUMULATOR);
                out.add(hello);
            } else {
                ByteBuf payload = size == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(size);
                out.add(new Frame(type, flags, arg, payload));
            }
        }
    }

    private void checkOrder(FrameType type) {
        if (atDestination) {
            if (pageCount < 0 && type != FrameType.HELLO && type != FrameType.ABORT && type != FrameType.RESOLVE) {
                throw new MigrationProtocolException(type + " before HELLO");
            }
            if (pageCount >= 0 && type == FrameType.HELLO) {
                throw new MigrationProtocolException("a second HELLO");
            }
        }
    }

    private void checkPage(int flags, long length, long index) {
        if (index < 0 || index >= pageCount) {
            throw new MigrationProtocolException("PAGE: index " + index + " out of range [0, " + pageCount + ")");
        }
        switch (flags) {
            case Frames.PAGE_RAW -> {
                if (length != pageSize) {
                    throw new MigrationProtocolException("PAGE " + index + ": raw payload of " + length
                            + " bytes, the page size is " + pageSize);
                }
            }
            case Frames.PAGE_ZERO -> {
                if (length != 0) {
                    throw new MigrationProtocolException("PAGE " + index + ": zero page with a payload of " + length
                            + " bytes");
                }
            }
            case Frames.PAGE_LZ4 -> {
                if (length == 0 || length >= pageSize) {
                    throw new MigrationProtocolException("PAGE " + index + ": compressed payload of " + length
                            + " bytes, must be 1 to " + (pageSize - 1));
                }
            }
            case Frames.PAGE_XBZRLE -> {
                if (length == 0 || length >= pageSize) {
                    throw new MigrationProtocolException("PAGE " + index + ": delta of " + length
                            + " bytes, must be 1 to " + (pageSize - 1));
                }
            }
            default -> throw new MigrationProtocolException("PAGE " + index + ": unknown flags " + flags);
        }
    }
}
