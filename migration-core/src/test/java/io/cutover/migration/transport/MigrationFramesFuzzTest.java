package io.cutover.migration.transport;

import io.cutover.support.fuzz.Fuzzer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The migration stream as each end reads it from its peer, fuzzed (see {@link Fuzzer}): every frame the decoder
 * lets through keeps its promises (a page inside the guest with the length its flags say, MISSING words inside the
 * bitmap, a page request inside the guest), and the payload readers that follow it (RESOLVE, XBZRLE deltas, LZ4
 * pages) either read it or throw a {@link MigrationProtocolException}.
 */
class MigrationFramesFuzzTest {
    private static final int PAGE = 4096;
    private static final long PAGES = 300;
    private static final long MAX_GUEST = 1L << 30;
    private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();

    @Test
    void theDestinationReadsTheSourcesFramesOrRefusesThem() {
        Fuzzer.Result result = Fuzzer.of("migration frames at the destination").seeds(destinationStreams())
                .refusesWith(MigrationProtocolException.class).run(MigrationFramesFuzzTest::readAtDestination);
        assertThat(result.accepted()).as("some mutated streams still decode").isPositive();
    }

    /** The frames after a valid HELLO, one frame a seed, so that most mutations hit a frame's header. */
    @Test
    void theDestinationReadsFramesAfterAValidHelloOrRefusesThem() {
        byte[] hello = helloBytes();
        Fuzzer.Result result = Fuzzer.of("migration frames after HELLO").seeds(singleFrames())
                .refusesWith(MigrationProtocolException.class).run(input -> {
                    byte[] stream = new byte[hello.length + input.length];
                    System.arraycopy(hello, 0, stream, 0, hello.length);
                    System.arraycopy(input, 0, stream, hello.length, input.length);
                    readAtDestination(stream);
                });
        assertThat(result.accepted()).isPositive();
    }

    @Test
    void theSourceReadsTheDestinationsFramesOrRefusesThem() {
        Fuzzer.Result result = Fuzzer.of("migration frames at the source").seeds(sourceStreams())
                .refusesWith(MigrationProtocolException.class).run(MigrationFramesFuzzTest::readAtSource);
        assertThat(result.accepted()).isPositive();
    }

    private static void readAtDestination(byte[] input) {
        readAll(new FrameDecoder(true, MAX_GUEST), input, MigrationFramesFuzzTest::destinationPayload);
    }

    private static void readAtSource(byte[] input) {
        readAll(new FrameDecoder(false, MAX_GUEST).geometry(PAGE, PAGES), input, message -> {
            Frame frame = (Frame) message;
            assertThat(frame.type().sentBy(false)).as(frame.type() + " from the destination").isTrue();
            if (frame.type() == FrameType.PAGE_REQUEST) {
                assertThat(frame.arg()).isBetween(0L, PAGES - 1);
            }
        });
    }

    /** Feeds the input in two pieces (a frame split across reads) and checks each message the decoder emits. */
    private static void readAll(FrameDecoder decoder, byte[] input, Consumer<Object> check) {
        EmbeddedChannel ch = new EmbeddedChannel();
        // heap buffers, so that the fuzzer's allocation bound sees what the decoder holds
        ch.config().setAllocator(new UnpooledByteBufAllocator(false));
        ch.pipeline().addLast(decoder);
        try {
            int cut = input.length / 3;
            ch.writeInbound(Unpooled.wrappedBuffer(input, 0, cut));
            ch.writeInbound(Unpooled.wrappedBuffer(input, cut, input.length - cut));
            for (Object message = ch.readInbound(); message != null; message = ch.readInbound()) {
                try {
                    check.accept(message);
                } finally {
                    if (message instanceof Frame frame) {
                        frame.release();
                    }
                }
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** The geometry of the HELLO the destination read last (the fuzzer runs one input at a time). */
    private static long pageCount;
    private static int pageSize;

    private static void destinationPayload(Object message) {
        if (message instanceof Hello hello) {
            assertThat((double) hello.pageCount() * hello.pageSize()).isLessThanOrEqualTo(MAX_GUEST);
            pageCount = hello.pageCount();
            pageSize = hello.pageSize();
            return;
        }
        Frame frame = (Frame) message;
        ByteBuf payload = frame.content();
        assertThat(frame.type().sentBy(true)).as(frame.type() + " from the source").isTrue();
        switch (frame.type()) {
            case RESOLVE -> Resolve.read(payload);
            case MISSING -> {
                long words = (pageCount + 63) / 64;
                assertThat(frame.arg()).as("MISSING's first word").isBetween(0L, words);
                assertThat(frame.arg() + payload.readableBytes() / 8).as("MISSING's last word").isLessThanOrEqualTo(words);
            }
            case PAGE -> {
                assertThat(frame.arg()).as("page index").isBetween(0L, pageCount - 1);
                ByteBuffer page = ByteBuffer.allocate(pageSize);
                switch (frame.flags()) {
                    case Frames.PAGE_RAW -> assertThat(payload.readableBytes()).isEqualTo(pageSize);
                    case Frames.PAGE_ZERO -> assertThat(payload.readableBytes()).isZero();
                    case Frames.PAGE_XBZRLE -> XorDelta.decode(payload, page);
                    default -> {
                        assertThat(frame.flags()).isEqualTo(Frames.PAGE_LZ4);
                        ByteBuffer src = payload.nioBuffer();
                        try {
                            LZ4.decompress(src, src.position(), src.remaining(), page, 0, page.capacity());
                        } catch (LZ4Exception e) {
                            throw new MigrationProtocolException("bad LZ4 data: " + e.getMessage());
                        }
                    }
                }
            }
            default -> assertThat(payload.readableBytes()).isLessThanOrEqualTo(frame.type().maxPayload());
        }
    }

    private static List<byte[]> destinationStreams() {
        List<byte[]> streams = new ArrayList<>();
        ByteBuf hello = Unpooled.buffer();
        new Hello("m-0a1b2c3d", "synthetic:size=1200k", PAGE, PAGES, false, "s3cret").writeFrame(hello);
        byte[] old = new byte[PAGE];
        byte[] now = old.clone();
        for (int i = 0; i < PAGE; i += 97) {
            now[i] = (byte) i;
        }
        ByteBuf delta = Unpooled.buffer();
        XorDelta.encode(old, now, delta, PAGE - 1);
        byte[] compressed = LZ4Factory.fastestInstance().fastCompressor().compress(now);

        ByteBuf all = Unpooled.buffer();
        all.writeBytes(hello.duplicate());
        frame(all, FrameType.ROUND, 0, 1, new byte[0]);
        frame(all, FrameType.PAGE, Frames.PAGE_RAW, 3, now);
        frame(all, FrameType.PAGE, Frames.PAGE_ZERO, 4, new byte[0]);
        frame(all, FrameType.PAGE, Frames.PAGE_XBZRLE, 3, ByteBufUtil.getBytes(delta));
        frame(all, FrameType.PAGE, Frames.PAGE_LZ4, PAGES - 1, compressed);
        frame(all, FrameType.SYNC, 0, 1, new byte[0]);
        frame(all, FrameType.DEVICE_STATE, 0, 0, "cpu: 1".getBytes(StandardCharsets.UTF_8));
        frame(all, FrameType.MISSING, 0, 2, new byte[24]);
        frame(all, FrameType.POSTCOPY_START, 0, 5, new byte[0]);
        frame(all, FrameType.COMMIT_REQUEST, Frames.COMMIT_FULL_CHECK, 0x1234, new byte[0]);
        frame(all, FrameType.ACTIVATE, 0, 0, new byte[0]);
        frame(all, FrameType.ABORT, 0, 0, "gone".getBytes(StandardCharsets.UTF_8));
        streams.add(ByteBufUtil.getBytes(all));
        streams.add(ByteBufUtil.getBytes(hello));

        ByteBuf shortStream = Unpooled.buffer();
        shortStream.writeBytes(hello.duplicate());
        frame(shortStream, FrameType.PAGE, Frames.PAGE_XBZRLE, 0, ByteBufUtil.getBytes(delta));
        frame(shortStream, FrameType.MISSING, 0, 4, new byte[8]);
        streams.add(ByteBufUtil.getBytes(shortStream));

        ByteBuf resolve = Unpooled.buffer();
        new Resolve("m-0a1b2c3d", "s3cret").writeFrame(resolve);
        streams.add(ByteBufUtil.getBytes(resolve));
        return streams;
    }

    private static byte[] helloBytes() {
        ByteBuf hello = Unpooled.buffer();
        new Hello("m-0a1b2c3d", "synthetic:size=1200k", PAGE, PAGES, false, "s3cret").writeFrame(hello);
        return ByteBufUtil.getBytes(hello);
    }

    /** Each frame a source sends after HELLO, alone. */
    private static List<byte[]> singleFrames() {
        byte[] all = destinationStreams().get(0);
        List<byte[]> frames = new ArrayList<>();
        ByteBuf in = Unpooled.wrappedBuffer(all);
        in.skipBytes(helloBytes().length);
        while (in.isReadable()) {
            int length = Frames.HEADER_BYTES + (int) in.getUnsignedInt(in.readerIndex() + 4);
            frames.add(ByteBufUtil.getBytes(in.readSlice(length)));
        }
        return frames;
    }

    private static List<byte[]> sourceStreams() {
        ByteBuf all = Unpooled.buffer();
        frame(all, FrameType.RESERVED, 0, PAGES, new byte[0]);
        frame(all, FrameType.PAGE_REQUEST, 0, 17, new byte[0]);
        frame(all, FrameType.VERIFIED, 0, 0x1234, new byte[0]);
        frame(all, FrameType.ACTIVATED, 0, 0, new byte[0]);
        frame(all, FrameType.ABORT, 0, 0, "no room".getBytes(StandardCharsets.UTF_8));
        ByteBuf resolved = Unpooled.buffer();
        frame(resolved, FrameType.RESOLVED, 0, 1, new byte[0]);
        return List.of(ByteBufUtil.getBytes(all), ByteBufUtil.getBytes(resolved));
    }

    private static void frame(ByteBuf out, FrameType type, int flags, long arg, byte[] payload) {
        Frames.writeHeader(out, type, flags, payload.length, arg);
        out.writeBytes(payload);
    }
}
