package io.cutover.migration.impl;

import io.cutover.migration.transport.Frame;
import io.cutover.migration.transport.FrameDecoder;
import io.cutover.migration.transport.FrameType;
import io.cutover.migration.transport.Frames;
import io.cutover.migration.transport.Hello;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReceiveBuffersTest {
    private static final int SIZE = 64 * 1024;

    @Test
    void aReleasedBufferIsReadIntoAgainAndHoldsNoStaleIndexes() {
        ReceiveBuffers buffers = new ReceiveBuffers(SIZE, 4);
        for (int i = 0; i < 100; i++) {
            ByteBuf b = buffers.ioBuffer(SIZE);
            assertThat(b.isDirect()).isTrue();
            assertThat(b.readableBytes()).isZero();
            assertThat(b.writableBytes()).isEqualTo(SIZE);
            b.writeLong(i);
            assertThat(b.readLong()).isEqualTo(i);
            b.release();
        }
        assertThat(buffers.allocated()).as("one buffer served every read").isEqualTo(1);
    }

    @Test
    void memoryIsReusedOnlyAfterItsLastSliceIsReleased() {
        ReceiveBuffers buffers = new ReceiveBuffers(SIZE, 4);
        ByteBuf read = buffers.ioBuffer(SIZE);
        read.writeLong(42);
        ByteBuf page = read.readRetainedSlice(8);
        read.release();
        ByteBuf next = buffers.ioBuffer(SIZE);
        next.writeLong(7);
        assertThat(page.getLong(0)).as("a held slice keeps its bytes").isEqualTo(42);
        assertThat(buffers.allocated()).isEqualTo(2);
        page.release();
        next.release();
        buffers.ioBuffer(SIZE).release();
        assertThat(buffers.allocated()).isEqualTo(2);
    }

    @Test
    void otherSizesComeFromTheDefaultAllocatorAndAtMostKeptBuffersWait() {
        ReceiveBuffers buffers = new ReceiveBuffers(SIZE, 2);
        ByteBuf other = buffers.directBuffer(100);
        other.writeBytes(new byte[200]);
        assertThat(other.capacity()).isGreaterThanOrEqualTo(200);
        other.release();
        List<ByteBuf> many = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            many.add(buffers.ioBuffer(SIZE));
        }
        many.forEach(ByteBuf::release);
        for (int i = 0; i < 5; i++) {
            many.set(i, buffers.ioBuffer(SIZE));
        }
        assertThat(buffers.allocated()).as("2 kept, 3 freed and allocated again").isEqualTo(8);
        many.forEach(ByteBuf::release);
    }

    /** The decoder gives back the pieces it read through once the handler behind released the frames' slices. */
    @Test
    void theDecoderGivesReadPiecesBackAtTheEndOfEachRead() {
        ReceiveBuffers buffers = new ReceiveBuffers(SIZE, 8);
        List<Frame> held = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(true, 1L << 30),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof Frame f) {
                            held.add(f);
                        }
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        held.forEach(Frame::release);
                        held.clear();
                    }
                });
        ByteBuf stream = io.netty.buffer.Unpooled.buffer();
        new Hello("m-1", "synthetic:size=1g", 4096, 1 << 18, false, "s").writeFrame(stream);
        int pageFrames = 400;
        for (int i = 0; i < pageFrames; i++) {
            Frames.writeHeader(stream, FrameType.PAGE, Frames.PAGE_RAW, 4096, i);
            stream.writeZero(4096);
        }
        int reads = 0;
        while (stream.isReadable()) {
            ByteBuf piece = buffers.ioBuffer(SIZE);
            piece.writeBytes(stream, Math.min(SIZE, stream.readableBytes()));
            channel.writeInbound(piece);
            reads++;
        }
        stream.release();
        assertThat(reads).isGreaterThan(20);
        assertThat(buffers.allocated()).as("each read's buffer back for the one after next").isLessThanOrEqualTo(3);
        channel.finishAndReleaseAll();
    }
}
