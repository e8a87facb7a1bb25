package io.cutover.migration.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameDecoderTest {
    private static final int PAGE = 4096;
    private static final long PAGES = 256;

    private static EmbeddedChannel destination() {
        return new EmbeddedChannel(new FrameDecoder(true, 1L << 30));
    }

    private static ByteBuf hello() {
        ByteBuf b = Unpooled.buffer();
        new Hello("m-1", "synthetic:size=1m", PAGE, PAGES, false, "s").writeFrame(b);
        return b;
    }

    private static ByteBuf frame(FrameType type, int flags, long arg, int length, int declared) {
        ByteBuf b = Unpooled.buffer();
        Frames.writeHeader(b, type, flags, declared, arg);
        b.writeZero(length);
        return b;
    }

    @Test
    void roundTripsHelloPagesAndControlFrames() {
        EmbeddedChannel ch = destination();
        ByteBuf page = Unpooled.buffer();
        Frames.writeHeader(page, FrameType.PAGE, Frames.PAGE_RAW, PAGE, 7);
        for (int i = 0; i < PAGE; i++) {
            page.writeByte(i);
        }
        ByteBuf all = Unpooled.wrappedBuffer(hello(), page, frame(FrameType.PAGE, Frames.PAGE_ZERO, 255, 0, 0));
        // delivered one byte at a time: the decoder must wait for whole frames
        while (all.isReadable()) {
            ch.writeInbound(all.readRetainedSlice(1));
        }
        all.release();
        Hello hello = ch.readInbound();
        assertThat(hello.pageCount()).isEqualTo(PAGES);
        assertThat(hello.migrationId()).isEqualTo("m-1");
        Frame p = ch.readInbound();
        assertThat(p.type()).isEqualTo(FrameType.PAGE);
        assertThat(p.arg()).isEqualTo(7);
        assertThat(p.content().readableBytes()).isEqualTo(PAGE);
        assertThat(p.content().getByte(5)).isEqualTo((byte) 5);
        p.release();
        Frame z = ch.readInbound();
        assertThat(z.flags()).isEqualTo(Frames.PAGE_ZERO);
        z.release();
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void encoderWritesWhatTheDecoderReads() {
        EmbeddedChannel out = new EmbeddedChannel(FrameEncoder.INSTANCE);
        out.writeOutbound(Frame.abort("because"));
        ByteBuf wire = out.readOutbound();
        EmbeddedChannel in = new EmbeddedChannel(new FrameDecoder(false, 0).geometry(PAGE, PAGES));
        in.writeInbound(wire);
        Frame f = in.readInbound();
        assertThat(f.type()).isEqualTo(FrameType.ABORT);
        assertThat(f.text()).isEqualTo("because");
        f.release();
        assertThat(in.finish()).isFalse();
    }

    private static void rejects(String message, Consumer<EmbeddedChannel> before, ByteBuf bad) {
        EmbeddedChannel ch = destination();
        before.accept(ch);
        assertThatThrownBy(() -> ch.writeInbound(bad))
                .isInstanceOf(DecoderException.class)
                .isInstanceOf(MigrationProtocolException.class)
                .hasMessageContaining(message);
        // the rest of the stream is ignored
        ch.writeInbound(frame(FrameType.ROUND, 0, 1, 0, 0));
        Object leftover;
        while ((leftover = ch.readInbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(leftover);
        }
        ch.finishAndReleaseAll();
        assertThat(bad.refCnt()).isZero();
    }

    private static void afterHello(EmbeddedChannel ch) {
        ch.writeInbound(hello());
        Object h = ch.readInbound();
        assertThat(h).isInstanceOf(Hello.class);
    }

    @Test
    void rejectsMalformedInputWithAReasonNamingTheField() {
        rejects("magic", ch -> { }, Unpooled.wrappedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes()));
        rejects("before HELLO", ch -> { }, frame(FrameType.PAGE, 0, 0, PAGE, PAGE));
        rejects("out of range", FrameDecoderTest::afterHello, frame(FrameType.PAGE, 0, PAGES, PAGE, PAGE));
        rejects("out of range", FrameDecoderTest::afterHello, frame(FrameType.PAGE, 0, -1, PAGE, PAGE));
        rejects("raw payload of 100", FrameDecoderTest::afterHello, frame(FrameType.PAGE, 0, 1, 100, 100));
        rejects("zero page with a payload", FrameDecoderTest::afterHello, frame(FrameType.PAGE, 1, 1, 8, 8));
        rejects("unknown flags", FrameDecoderTest::afterHello, frame(FrameType.PAGE, 9, 1, 0, 0));
        rejects("exceeds", FrameDecoderTest::afterHello, frame(FrameType.DEVICE_STATE, 0, 0, 0, 2 << 20));
        rejects("exceeds", FrameDecoderTest::afterHello, frame(FrameType.PAGE, 0, 0, 0, Integer.MAX_VALUE));
        rejects("may not be sent by the source", FrameDecoderTest::afterHello, frame(FrameType.VERIFIED, 0, 0, 0, 0));
        rejects("a second HELLO", FrameDecoderTest::afterHello, hello());
        rejects("unknown frame type 77", ch -> { }, frame(FrameType.ROUND, 0, 0, 0, 0).setByte(0, 77));
        rejects("exceeds this target's limit", ch -> { }, bigHello());
        rejects("version", ch -> { }, hello().setShort(Frames.HEADER_BYTES, 99));
        rejects("truncated", ch -> { }, truncatedHello());
    }

    /**
     * Found by {@link MigrationFramesFuzzTest}: a MISSING frame whose first word is near {@code Long.MAX_VALUE}
     * overflowed the decoder's range check ({@code arg + words} wrapped negative) and reached the destination's
     * bitmap as word -1.
     */
    @Test
    void missingWordsWhoseIndexWrapsAroundAreRejected() {
        rejects("do not fit a bitmap", FrameDecoderTest::afterHello, frame(FrameType.MISSING, 0, Long.MAX_VALUE, 8, 8));
        rejects("do not fit a bitmap", FrameDecoderTest::afterHello, frame(FrameType.MISSING, 0, Long.MAX_VALUE - 1, 16, 16));
    }

    @Test
    void aTrickleHoldsNoReceiveBufferPerByte() {
        EmbeddedChannel ch = destination();
        java.util.List<ByteBuf> fed = new java.util.ArrayList<>();
        ByteBuf head = Unpooled.wrappedBuffer(hello(), frame(FrameType.PAGE, Frames.PAGE_RAW, 3, 0, PAGE));
        int helloBytes = hello().readableBytes();
        while (head.isReadable()) {
            // each byte in a buffer of its own, as a socket read of one byte gives it: 64 KiB each
            ByteBuf piece = Unpooled.directBuffer(64 * 1024).writeByte(head.readByte());
            fed.add(piece);
            ch.writeInbound(piece);
            if (fed.size() < helloBytes) {
                assertThat(fed.stream().filter(b -> b.refCnt() > 0).count())
                        .as("before HELLO the bytes are copied into one buffer").isLessThanOrEqualTo(1);
            }
        }
        for (int n = 0; n < 1000; n++) {
            ByteBuf piece = Unpooled.directBuffer(64 * 1024).writeByte(n);
            fed.add(piece);
            ch.writeInbound(piece);
        }
        assertThat(fed.stream().filter(b -> b.refCnt() > 0).count()).as("pieces still held")
                .isLessThanOrEqualTo(FrameDecoder.MAX_PIECES + 1);
        Hello h = ch.readInbound();
        assertThat(h.secret()).isEqualTo("s");
        assertThat((Object) ch.readInbound()).as("the page is not complete").isNull();
        head.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void resolveRoundTripsAndMalformedOnesNameTheField() {
        ByteBuf b = Unpooled.buffer();
        new Resolve("m-12345678", "the-secret").writeFrame(b);
        EmbeddedChannel ch = destination();
        ch.writeInbound(b);
        Frame f = ch.readInbound();
        assertThat(f.type()).isEqualTo(FrameType.RESOLVE);
        assertThat(Resolve.read(f.content())).isEqualTo(new Resolve("m-12345678", "the-secret"));
        assertThat(new Resolve("m-1", "the-secret").toString()).doesNotContain("the-secret");
        f.release();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Resolve.read(Unpooled.wrappedBuffer(new byte[]{0, 5, 'm'})))
                .isInstanceOf(MigrationProtocolException.class).hasMessageContaining("truncated migration id");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Resolve.read(Unpooled.wrappedBuffer(
                new byte[]{0, 1, 'm', 0, 0, 7}))).hasMessageContaining("after the secret");
        assertThat(new Hello("m-1", "x", PAGE, 1, false, "s3cr3t").toString()).doesNotContain("s3cr3t");
    }

    private static ByteBuf bigHello() {
        ByteBuf b = Unpooled.buffer();
        new Hello("m-1", "x", PAGE, 1L << 20, false, "s").writeFrame(b);
        return b;
    }

    private static ByteBuf truncatedHello() {
        ByteBuf b = Unpooled.buffer();
        Frames.writeHeader(b, FrameType.HELLO, 0, 3, PAGES);
        return b.writeShort(Frames.VERSION).writeByte(0);
    }

    @Test
    void truncatedFramesWaitAndRandomBytesAreRejected() {
        EmbeddedChannel ch = destination();
        ByteBuf h = hello();
        assertThat(ch.writeInbound(h.readRetainedSlice(h.readableBytes() - 1))).isFalse();
        h.release();
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();

        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[16 + random.nextInt(200)];
            random.nextBytes(junk);
            EmbeddedChannel c = destination();
            try {
                c.writeInbound(Unpooled.wrappedBuffer(junk));
                Object o;
                while ((o = c.readInbound()) != null) {
                    io.netty.util.ReferenceCountUtil.release(o);
                    throw new AssertionError("random bytes decoded as " + o);
                }
            } catch (MigrationProtocolException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } finally {
                c.finishAndReleaseAll();
            }
        }
    }
}
