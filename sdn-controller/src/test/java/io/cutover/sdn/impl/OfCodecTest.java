package io.cutover.sdn.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U32;
import org.projectfloodlight.openflow.types.U64;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OfCodecTest {
    private static final MacAddress VM = MacAddress.of("02:00:c6:12:00:64");

    private static OFFlowAdd flowAdd(long xid) {
        return SwitchSession.OF.buildFlowAdd().setXid(xid).setTableId(TableId.of(1)).setPriority(100)
                .setCookie(U64.of(0xC700010000050003L))
                .setMatch(SwitchSession.OF.buildMatch().setExact(MatchField.ETH_DST, VM).build())
                .setInstructions(List.of(SwitchSession.OF.instructions().applyActions(
                        List.of(SwitchSession.OF.actions().output(OFPort.of(3), 0)))))
                .build();
    }

    private static EmbeddedChannel codec() {
        return new EmbeddedChannel(new OfFrameDecoder(), new OfFrameEncoder());
    }

    @Test
    void flowModRoundTripsThroughEncoderAndDecoder() {
        EmbeddedChannel ch = codec();
        OFFlowAdd sent = flowAdd(42);
        assertThat(ch.writeOutbound(sent)).isTrue();
        ByteBuf wire = ch.readOutbound();
        assertThat((int) wire.getUnsignedByte(0)).isEqualTo(4);
        assertThat(wire.getUnsignedShort(2)).isEqualTo(wire.readableBytes());
        assertThat(ch.writeInbound(wire)).isTrue();
        OFMessage received = ch.readInbound();
        assertThat(received).isEqualTo(sent);
        assertThat(wire.refCnt()).isZero();
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void framesSplitAnywhereAndCoalescedAreDecodedWhole() {
        ByteBuf stream = Unpooled.buffer();
        for (int i = 0; i < 3; i++) {
            flowAdd(i).writeTo(stream);
        }
        EmbeddedChannel ch = codec();
        while (stream.isReadable()) {
            ch.writeInbound(stream.readRetainedSlice(Math.min(7, stream.readableBytes())));
        }
        stream.release();
        for (int i = 0; i < 3; i++) {
            OFMessage message = ch.readInbound();
            assertThat(message.getXid()).isEqualTo(i);
        }
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void bundleMessagesHaveTheOnfLayout() {
        EmbeddedChannel ch = codec();
        ch.writeOutbound(new OnfBundleMessage.Control(7, 9, OnfBundleMessage.ControlType.OPEN_REQUEST, 3));
        ByteBuf open = ch.readOutbound();
        assertThat(open.readableBytes()).isEqualTo(24);
        assertThat((int) open.getUnsignedByte(1)).isEqualTo(OnfBundleMessage.OFPT_EXPERIMENTER);
        assertThat(open.getUnsignedInt(8)).isEqualTo(OnfBundleMessage.ONF_EXPERIMENTER);
        assertThat(open.getInt(12)).isEqualTo(OnfBundleMessage.ET_BUNDLE_CONTROL);
        assertThat(open.getInt(16)).isEqualTo(9);
        open.release();

        OFFlowAdd inner = flowAdd(11);
        ch.writeOutbound(new OnfBundleMessage.Add(9, 3, inner));
        ByteBuf add = ch.readOutbound();
        ByteBuf innerWire = Unpooled.buffer();
        inner.writeTo(innerWire);
        assertThat(add.getUnsignedShort(2)).isEqualTo(24 + innerWire.readableBytes()).isEqualTo(add.readableBytes());
        assertThat(add.getInt(4)).as("outer xid = inner xid").isEqualTo(11);
        assertThat(add.getInt(12)).isEqualTo(OnfBundleMessage.ET_BUNDLE_ADD_MESSAGE);
        assertThat(add.slice(24, innerWire.readableBytes())).isEqualTo(innerWire);
        add.release();
        innerWire.release();

        // a commit reply from the switch decodes as a bundle control message
        ByteBuf reply = Unpooled.buffer();
        new OnfBundleMessage.Control(12, 9, OnfBundleMessage.ControlType.COMMIT_REPLY, 3).writeTo(reply);
        ch.writeInbound(reply);
        OnfBundleMessage.Control decoded = ch.readInbound();
        assertThat(decoded).isEqualTo(new OnfBundleMessage.Control(12, 9, OnfBundleMessage.ControlType.COMMIT_REPLY, 3));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void helloWithVersionBitmapDecodes() {
        OFHello hello = SwitchSession.OF.buildHello().setXid(1).setElements(List.of(
                SwitchSession.OF.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(1 << 4))).build())).build();
        EmbeddedChannel ch = codec();
        ch.writeOutbound(hello);
        ch.writeInbound((ByteBuf) ch.readOutbound());
        assertThat((OFMessage) ch.readInbound()).isEqualTo(hello);
    }

    @Test
    void openVSwitchsRoleStatusIsReadNotTakenForGarbage() {
        // Open vSwitch's ONFT_ROLE_STATUS to a deposed master: slave (3), reason 0 (a master request), generation 2
        ByteBuf frame = io.netty.buffer.Unpooled.buffer(32).writeByte(4).writeByte(4).writeShort(32).writeInt(9)
                .writeInt(0x4f4e4600).writeInt(1911).writeInt(3).writeByte(0).writeZero(3).writeLong(2);
        EmbeddedChannel ch = codec();
        ch.writeInbound(frame);
        assertThat((Object) ch.readInbound()).isEqualTo(new OnfRoleStatus(9, 3, 0, 2));
        assertThat(ch.isOpen()).isTrue();
    }

    // ---- the shared malformed-input fixture ---------------------------------------------------------------------

    @Test
    void truncatedFramesWaitForTheirRest() {
        ByteBuf whole = Unpooled.buffer();
        flowAdd(5).writeTo(whole);
        for (int cut = 0; cut < whole.readableBytes(); cut++) {
            EmbeddedChannel ch = new EmbeddedChannel(new OfFrameDecoder());
            ch.writeInbound(whole.retainedSlice(0, cut));
            assertThat((Object) ch.readInbound()).as("nothing decoded from %d bytes", cut).isNull();
            ch.writeInbound(whole.retainedSlice(cut, whole.readableBytes() - cut));
            assertThat((Object) ch.readInbound()).isNotNull();
            ch.finishAndReleaseAll();
        }
        whole.release();
    }

    @Test
    void malformedFramesThrowACorruptedFrameNamingTheField() {
        assertMalformed(new byte[] {(byte) 0xAA, 0, 0, 8, 0, 0, 0, 1}, "version");
        assertMalformed(new byte[] {4, 0, 0, 4, 0, 0, 0, 1}, "length");
        assertMalformed(new byte[] {4, (byte) 200, 0, 8, 0, 0, 0, 1}, "type 200");
        ByteBuf wrongLength = Unpooled.buffer();
        flowAdd(5).writeTo(wrongLength);
        wrongLength.setShort(2, 20);
        assertMalformed(ByteBufs.bytes(wrongLength), "type 14");
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButDecoderExceptions() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[8 + random.nextInt(120)];
            random.nextBytes(bytes);
            bytes[0] = (byte) (1 + random.nextInt(6));
            bytes[2] = 0;
            bytes[3] = (byte) bytes.length;
            EmbeddedChannel ch = new EmbeddedChannel(new OfFrameDecoder());
            try {
                ch.writeInbound(Unpooled.wrappedBuffer(bytes));
            } catch (DecoderException expected) {
                // a counted, typed rejection
            }
            ch.finishAndReleaseAll();
        }
    }

    private static void assertMalformed(byte[] bytes, String field) {
        EmbeddedChannel ch = new EmbeddedChannel(new OfFrameDecoder());
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(bytes)))
                .isInstanceOf(DecoderException.class).hasMessageContaining(field);
        ch.finishAndReleaseAll();
    }

    private static final class ByteBufs {
        static byte[] bytes(ByteBuf buf) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            return bytes;
        }
    }
}
