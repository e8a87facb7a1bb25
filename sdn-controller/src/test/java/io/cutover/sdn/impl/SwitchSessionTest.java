package io.cutover.sdn.impl;

import io.cutover.sdn.OpenFlowErrorException;
import io.cutover.sdn.SwitchUnavailableException;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBadMatchCode;
import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsRequest;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U32;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SwitchSessionTest {
    private final List<String> events = new ArrayList<>();
    private int packetIns;
    private int packetInsDropped;
    private final SessionListener listener = new SessionListener() {
        @Override
        public void packetIn(SwitchSession session, org.projectfloodlight.openflow.protocol.OFPacketIn packetIn) {
            packetIns++;
        }

        @Override
        public void packetInDropped(SwitchSession session) {
            packetInsDropped++;
        }

        @Override
        public void ready(SwitchSession session) {
            events.add("ready " + session.name());
        }

        @Override
        public void portChanged(SwitchSession session, String port, int number, boolean deleted) {
            events.add((deleted ? "deleted " : "port ") + port + "=" + number);
        }

        @Override
        public void closed(SwitchSession session) {
            events.add("closed");
        }
    };

    private SwitchSession session;

    private EmbeddedChannel handshake() {
        session = new SwitchSession(listener, Duration.ofSeconds(5), true);
        EmbeddedChannel ch = new EmbeddedChannel(session);
        OFHello hello = ch.readOutbound();
        assertThat(hello.getElements()).hasSize(1);
        assertThat(session.state()).isEqualTo(SwitchSession.State.WAIT_HELLO);
        ch.writeInbound(SwitchSession.OF.buildHello().setXid(1).setElements(List.of(
                SwitchSession.OF.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(0x10))).build())).build());
        assertThat((Object) ch.readOutbound()).isInstanceOf(OFFeaturesRequest.class);
        assertThat(session.state()).isEqualTo(SwitchSession.State.WAIT_FEATURES_REPLY);
        ch.writeInbound(SwitchSession.OF.buildFeaturesReply().setXid(2).setDatapathId(DatapathId.of(0xabcL)).build());
        assertThat((Object) ch.readOutbound()).isInstanceOf(OFPortDescStatsRequest.class);
        assertThat(session.state()).isEqualTo(SwitchSession.State.WAIT_PORT_DESC);
        ch.writeInbound(SwitchSession.OF.buildPortDescStatsReply().setXid(3)
                .setFlags(Set.of(OFStatsReplyFlags.REPLY_MORE))
                .setEntries(List.of(port(OFPort.LOCAL, "br-a"))).build());
        assertThat(session.state()).isEqualTo(SwitchSession.State.WAIT_PORT_DESC);
        ch.writeInbound(SwitchSession.OF.buildPortDescStatsReply().setXid(3)
                .setEntries(List.of(port(OFPort.of(1), "hostA"), port(OFPort.of(2), "vm1"))).build());
        assertThat(session.state()).isEqualTo(SwitchSession.State.ACTIVE);
        return ch;
    }

    @Test
    void aSwitchThatFloodsPacketInsGetsItsBurstAndItsRateThroughAndTheRestIsDroppedAndCounted() {
        EmbeddedChannel ch = handshake();
        long started = System.nanoTime();
        for (int i = 0; i < 5_000; i++) {
            ch.writeInbound(SwitchSession.OF.buildPacketIn().setXid(100 + i).setBufferId(
                    org.projectfloodlight.openflow.types.OFBufferId.NO_BUFFER).setTotalLen(60)
                    .setReason(org.projectfloodlight.openflow.protocol.OFPacketInReason.ACTION)
                    .setTableId(org.projectfloodlight.openflow.types.TableId.of(0))
                    .setMatch(SwitchSession.OF.buildMatch().build()).setData(new byte[60]).build());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long allowed = SwitchSession.PACKET_IN_BURST + (long) Math.ceil(seconds * SwitchSession.PACKET_INS_PER_SECOND) + 1;
        assertThat(packetIns).as("packet-ins handed on of 5,000 in %.3f s", seconds)
                .isBetween(SwitchSession.PACKET_IN_BURST, (int) allowed);
        assertThat(packetInsDropped).isEqualTo(5_000 - packetIns);
        assertThat(session.packetInsDropped()).isEqualTo(packetInsDropped);
        assertThat(ch.isActive()).as("the switch stays connected").isTrue();
    }

    private static org.projectfloodlight.openflow.protocol.OFPortDesc port(OFPort number, String name) {
        return SwitchSession.OF.buildPortDesc().setPortNo(number).setName(name).setHwAddr(MacAddress.of(2L)).build();
    }

    @Test
    void handshakeWalksItsStatesAndNamesTheSwitchAfterItsLocalPort() {
        EmbeddedChannel ch = handshake();
        assertThat(events).containsExactly("ready br-a");
        assertThat(session.dpid()).isEqualTo(io.cutover.sdn.Dpid.of(0xabc));
        assertThat(session.label()).isEqualTo("0000000000000abc (br-a)");
        assertThat(session.ports()).containsEntry("hostA", 1).containsEntry("vm1", 2).hasSize(2);
        ch.writeInbound(SwitchSession.OF.buildPortStatus().setXid(0).setReason(OFPortReason.ADD)
                .setDesc(port(OFPort.of(7), "fwd")).build());
        assertThat(events).contains("port fwd=7");
        ch.close();
        assertThat(events).endsWith("closed");
    }

    @Test
    void aSwitchWithoutOpenFlow13IsClosed() {
        session = new SwitchSession(listener, Duration.ofSeconds(5), true);
        EmbeddedChannel ch = new EmbeddedChannel(session);
        ch.readOutbound();
        ch.writeInbound(SwitchSession.OF.buildHello().setXid(1).setElements(List.of(
                SwitchSession.OF.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(0x02))).build())).build());
        assertThat(ch.isOpen()).isFalse();
        assertThat(events).containsExactly("closed");
    }

    @Test
    void anErrorDuringTheHandshakeClosesTheConnectionWithOneShortLineNotItsData() {
        Logger log = (Logger) LoggerFactory.getLogger(SwitchSession.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        log.addAppender(logged);
        try {
            session = new SwitchSession(listener, Duration.ofSeconds(5), true);
            EmbeddedChannel ch = new EmbeddedChannel(session);
            ch.readOutbound();
            ch.writeInbound(SwitchSession.OF.errorMsgs().buildHelloFailedErrorMsg().setXid(2)
                    .setCode(OFHelloFailedCode.INCOMPATIBLE)
                    .setData(OFErrorCauseData.of(new byte[60_000], OFVersion.OF_13)).build());
            assertThat(ch.isOpen()).isFalse();
            assertThat(logged.list).singleElement().satisfies(line -> assertThat(line.getFormattedMessage())
                    .contains("HELLO_FAILED INCOMPATIBLE").hasSizeLessThan(200));
        } finally {
            log.detachAppender(logged);
        }
    }

    @Test
    void anErrorFailsTheFlowModsOfItsXidWithTheOpenFlowError() {
        EmbeddedChannel ch = handshake();
        OFFlowMod mod = SwitchSession.OF.buildFlowAdd().setPriority(1).build();
        CompletableFuture<Void> done = session.sendOrdered(List.of(mod, mod, mod));
        ch.runPendingTasks();
        List<OFMessage> sent = new ArrayList<>();
        for (Object m; (m = ch.readOutbound()) != null; ) {
            sent.add((OFMessage) m);
        }
        assertThat(sent).hasSize(4);
        assertThat(sent.get(3)).isInstanceOf(OFBarrierRequest.class);
        long rejected = sent.get(1).getXid();
        ch.writeInbound(SwitchSession.OF.errorMsgs().buildBadMatchErrorMsg().setXid(rejected)
                .setCode(OFBadMatchCode.BAD_FIELD).setData(OFErrorCauseData.NONE).build());
        assertThatThrownBy(done::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(OpenFlowErrorException.class)
                .hasMessageContaining("xid " + rejected).hasMessageContaining("BAD_MATCH/BAD_FIELD");
        OpenFlowErrorException error = (OpenFlowErrorException) done.handle((v, e) -> e.getCause() == null ? e : e.getCause()).join();
        assertThat(error.xid()).isEqualTo(rejected);
        assertThat(error.dpid()).isEqualTo(io.cutover.sdn.Dpid.of(0xabc));
        // the barrier reply that follows is ignored; a later batch is confirmed by its own barrier
        ch.writeInbound(SwitchSession.OF.buildBarrierReply().setXid(sent.get(3).getXid()).build());
        CompletableFuture<Void> next = session.sendOrdered(List.of(mod));
        ch.runPendingTasks();
        ch.readOutbound();
        OFMessage barrier = ch.readOutbound();
        assertThat(next).isNotDone();
        ch.writeInbound(SwitchSession.OF.buildBarrierReply().setXid(barrier.getXid()).build());
        assertThat(next).isCompleted();
    }

    @Test
    void bundleCompletesOnItsCommitReply() {
        EmbeddedChannel ch = handshake();
        OFFlowMod mod = SwitchSession.OF.buildFlowAdd().setPriority(1).build();
        CompletableFuture<Void> done = session.sendBundle(List.of(mod, mod));
        ch.runPendingTasks();
        List<Object> sent = new ArrayList<>();
        for (Object m; (m = ch.readOutbound()) != null; ) {
            sent.add(m);
        }
        assertThat(sent).hasSize(4);
        OnfBundleMessage.Control open = (OnfBundleMessage.Control) sent.get(0);
        OnfBundleMessage.Add add = (OnfBundleMessage.Add) sent.get(1);
        OnfBundleMessage.Control commit = (OnfBundleMessage.Control) sent.get(3);
        assertThat(open.type()).isEqualTo(OnfBundleMessage.ControlType.OPEN_REQUEST);
        assertThat(add.bundleId()).isEqualTo(open.bundleId()).isEqualTo(commit.bundleId());
        assertThat(commit.type()).isEqualTo(OnfBundleMessage.ControlType.COMMIT_REQUEST);
        ch.writeInbound(new OnfBundleMessage.Control(open.xid(), open.bundleId(), OnfBundleMessage.ControlType.OPEN_REPLY, 3));
        assertThat(done).isNotDone();
        ch.writeInbound(new OnfBundleMessage.Control(commit.xid(), commit.bundleId(), OnfBundleMessage.ControlType.COMMIT_REPLY, 3));
        assertThat(done).isCompleted();
    }

    @Test
    void pendingRequestsFailWhenTheSwitchDisconnects() {
        EmbeddedChannel ch = handshake();
        CompletableFuture<Void> done = session.sendOrdered(List.of(SwitchSession.OF.buildFlowAdd().build()));
        ch.runPendingTasks();
        ch.close();
        assertThatThrownBy(done::join).cause().isInstanceOf(SwitchUnavailableException.class)
                .hasMessageContaining("disconnected");
    }
}
