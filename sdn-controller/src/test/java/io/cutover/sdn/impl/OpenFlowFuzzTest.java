package io.cutover.sdn.impl;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cutover.support.fuzz.Fuzzer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBadMatchCode;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U32;
import org.projectfloodlight.openflow.types.U64;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a switch sends the controller, fuzzed (see {@link Fuzzer}): the frame decoder reads an OpenFlow message or
 * throws a {@link CorruptedFrameException}, and a session, in its handshake or past it, closes the connection on a malformed
 * frame, never on an exception of its own (which it would log as one; the log is how this test sees it).
 */
class OpenFlowFuzzTest {
    private static final OFFactory OF = SwitchSession.OF;
    private static final SessionListener QUIET = new SessionListener() {
        @Override
        public void ready(SwitchSession session) {
        }

        @Override
        public void portChanged(SwitchSession session, String port, int number, boolean deleted) {
        }

        @Override
        public void closed(SwitchSession session) {
        }
    };
    /** How {@code SwitchSession.exceptionCaught} logs an exception it has no typed case for. */
    private static final String UNEXPECTED = "closing switch connection {} ({}): {}";
    private final Logger sessionLog = (Logger) LoggerFactory.getLogger(SwitchSession.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void captureTheSessionsLog() {
        logged.start();
        sessionLog.addAppender(logged);
        sessionLog.setAdditive(false);
    }

    @AfterEach
    void releaseTheSessionsLog() {
        sessionLog.detachAppender(logged);
        sessionLog.setAdditive(true);
    }

    @Test
    void theDecoderReadsAMessageOrRefusesTheFrame() {
        Fuzzer.Result result = Fuzzer.of("OpenFlow frame decoder").seeds(switchMessages())
                .refusesWith(CorruptedFrameException.class).run(input -> {
                    EmbeddedChannel ch = new EmbeddedChannel();
                    // heap buffers, so that the fuzzer's allocation bound sees what the decoder holds
                    ch.config().setAllocator(new UnpooledByteBufAllocator(false));
                    ch.pipeline().addLast(new OfFrameDecoder());
                    try {
                        int cut = input.length / 2;
                        ch.writeInbound(Unpooled.wrappedBuffer(input, 0, cut));
                        ch.writeInbound(Unpooled.wrappedBuffer(input, cut, input.length - cut));
                        for (Object m = ch.readInbound(); m != null; m = ch.readInbound()) {
                            assertThat(m).isInstanceOfAny(OFMessage.class, OnfBundleMessage.Control.class);
                        }
                    } finally {
                        ch.finishAndReleaseAll();
                    }
                });
        assertThat(result.accepted()).as("some mutated messages still decode").isPositive();
        assertThat(result.refused()).isPositive();
    }

    @Test
    void anActiveSessionClosesOnGarbageButNeverFailsItself() {
        Fuzzer.Result result = Fuzzer.of("OpenFlow session").seeds(switchMessages()).run(input -> {
            logged.list.clear();
            SwitchSession session = new SwitchSession(QUIET, Duration.ofSeconds(5), true);
            EmbeddedChannel ch = new EmbeddedChannel(new OfFrameDecoder(), new OfFrameEncoder(),
                    new KeepaliveHandler(), session);
            try {
                handshake(ch);
                ch.writeInbound(Unpooled.wrappedBuffer(input));
                ch.runPendingTasks();
                assertNoOwnFailure();
            } finally {
                ch.finishAndReleaseAll();
            }
        });
        assertThat(result.accepted()).isGreaterThanOrEqualTo(Fuzzer.iterations());
    }

    @Test
    void aSessionInItsHandshakeClosesOnGarbageButNeverFailsItself() {
        Fuzzer.Result result = Fuzzer.of("OpenFlow handshake").seeds(List.of(handshakeBytes())).run(input -> {
            logged.list.clear();
            SwitchSession session = new SwitchSession(QUIET, Duration.ofSeconds(5), true);
            EmbeddedChannel ch = new EmbeddedChannel(new OfFrameDecoder(), new OfFrameEncoder(),
                    new KeepaliveHandler(), session);
            try {
                ch.writeInbound(Unpooled.wrappedBuffer(input));
                ch.runPendingTasks();
                assertNoOwnFailure();
            } finally {
                ch.finishAndReleaseAll();
            }
        });
        assertThat(result.accepted()).isGreaterThanOrEqualTo(Fuzzer.iterations());
    }

    private void assertNoOwnFailure() {
        for (ILoggingEvent event : logged.list) {
            if (event.getLevel() == Level.ERROR || UNEXPECTED.equals(event.getMessage())) {
                throw new AssertionError("the session failed: " + event.getFormattedMessage());
            }
        }
    }

    /** What a switch sends in its handshake, in one stream. */
    private static byte[] handshakeBytes() {
        ByteBuf all = Unpooled.buffer();
        for (OFMessage m : List.of(
                OF.buildHello().setXid(1).setElements(List.of(
                        OF.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(0x10))).build())).build(),
                OF.buildFeaturesReply().setXid(2).setDatapathId(DatapathId.of(0xabcL)).build(),
                OF.buildPortDescStatsReply().setXid(3).setFlags(Set.of(OFStatsReplyFlags.REPLY_MORE))
                        .setEntries(List.of(port(OFPort.LOCAL, "br-a"))).build(),
                OF.buildPortDescStatsReply().setXid(3).setEntries(List.of(port(OFPort.of(1), "hostA"))).build())) {
            m.writeTo(all);
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    /** Hello, features and port descriptions, as {@code SwitchSessionTest} walks them, through the decoder. */
    private static void handshake(EmbeddedChannel ch) {
        ch.writeInbound(wire(OF.buildHello().setXid(1).setElements(List.of(
                OF.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(0x10))).build())).build()));
        ch.writeInbound(wire(OF.buildFeaturesReply().setXid(2).setDatapathId(DatapathId.of(0xabcL)).build()));
        ch.writeInbound(wire(OF.buildPortDescStatsReply().setXid(3)
                .setEntries(List.of(port(OFPort.LOCAL, "br-a"), port(OFPort.of(1), "hostA"))).build()));
        for (Object out = ch.readOutbound(); out != null; out = ch.readOutbound()) {
            io.netty.util.ReferenceCountUtil.release(out);
        }
    }

    private static ByteBuf wire(OFMessage m) {
        ByteBuf b = Unpooled.buffer();
        m.writeTo(b);
        return b;
    }

    private static OFPortDesc port(OFPort number, String name) {
        return OF.buildPortDesc().setPortNo(number).setName(name).setHwAddr(MacAddress.of(2L)).build();
    }

    /** What an Open vSwitch sends its controller, written by the project's encoder. */
    private static List<byte[]> switchMessages() {
        List<Object> messages = new ArrayList<>();
        messages.add(OF.buildHello().setXid(1).setElements(List.of(
                OF.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(0x10))).build())).build());
        messages.add(OF.buildFeaturesReply().setXid(2).setDatapathId(DatapathId.of(0xabcL)).setNBuffers(256)
                .setNTables((short) 254).build());
        messages.add(OF.buildPortDescStatsReply().setXid(3).setFlags(Set.of(OFStatsReplyFlags.REPLY_MORE))
                .setEntries(List.of(port(OFPort.LOCAL, "br-a"), port(OFPort.of(2), "vm1"))).build());
        messages.add(OF.buildPortStatus().setXid(0).setReason(OFPortReason.ADD).setDesc(port(OFPort.of(7), "fwd")).build());
        messages.add(OF.buildEchoRequest().setXid(9).setData(new byte[]{1, 2, 3, 4}).build());
        messages.add(OF.buildEchoReply().setXid(10).setData(new byte[0]).build());
        messages.add(OF.buildBarrierReply().setXid(11).build());
        messages.add(OF.errorMsgs().buildBadMatchErrorMsg().setXid(12).setCode(OFBadMatchCode.BAD_FIELD)
                .setData(OFErrorCauseData.of(new byte[]{4, 14, 0, 8, 0, 0, 0, 1}, org.projectfloodlight.openflow.protocol.OFVersion.OF_13)).build());
        var match = OF.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1))
                .setExact(MatchField.ETH_TYPE, EthType.IPv4).setExact(MatchField.ETH_DST, MacAddress.of("02:00:c6:12:00:64")).build();
        messages.add(OF.buildFlowStatsReply().setXid(13).setEntries(List.of(OF.buildFlowStatsEntry()
                .setTableId(TableId.of(1)).setPriority(100).setCookie(U64.of(0xC700010000050003L)).setMatch(match)
                .setInstructions(List.of(OF.instructions().applyActions(List.of(OF.actions().output(OFPort.of(3), 0)))))
                .build())).build());
        messages.add(OF.buildPacketIn().setXid(14).setBufferId(OFBufferId.NO_BUFFER).setTotalLen(60)
                .setReason(OFPacketInReason.NO_MATCH).setTableId(TableId.of(0)).setMatch(match).setData(new byte[60]).build());
        messages.add(OF.buildFlowRemoved().setXid(15).setCookie(U64.of(7)).setPriority(10)
                .setReason(OFFlowRemovedReason.IDLE_TIMEOUT).setTableId(TableId.of(1)).setMatch(match).build());
        messages.add(OF.buildGetConfigReply().setXid(16).setMissSendLen(128).build());
        messages.add(new OnfBundleMessage.Control(17, 9, OnfBundleMessage.ControlType.COMMIT_REPLY, 3));
        EmbeddedChannel encoder = new EmbeddedChannel(new OfFrameEncoder());
        List<byte[]> seeds = new ArrayList<>();
        for (Object m : messages) {
            encoder.writeOutbound(m);
            ByteBuf out = encoder.readOutbound();
            seeds.add(ByteBufUtil.getBytes(out));
            out.release();
        }
        encoder.finishAndReleaseAll();
        return seeds;
    }
}
