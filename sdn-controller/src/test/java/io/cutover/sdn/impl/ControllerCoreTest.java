package io.cutover.sdn.impl;

import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Dpid;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U32;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ControllerCoreTest {

    @Test
    void aSecondSessionForAConnectedDatapathIdIsRefusedCountedAndTheFirstStays() throws Exception {
        try (ControllerCore core = new ControllerCore(ControllerOptions.builder().port(0).build())) {
            EmbeddedChannel real = handshake(core, 0xabcL, "br-int");
            awaitConnected(core, Dpid.of(0xabc));

            // the core refuses it on its own thread, perhaps before the handshake returns: it is only known to have
            // completed the handshake by being counted as refused for its datapath id below
            EmbeddedChannel impostor = exchangeHandshake(core, 0xabcL, "br-other").channel();
            awaitClosed(impostor);

            assertThat(impostor.isOpen()).as("the second session for 0000000000000abc").isFalse();
            assertThat(real.isOpen()).as("the switch that was connected first").isTrue();
            assertThat(core.refusedSessions()).isEqualTo(1);
            assertThat(core.switches()).singleElement().satisfies(s -> {
                assertThat(s.dpid()).isEqualTo(Dpid.of(0xabc));
                assertThat(s.name()).isEqualTo("br-int");
                assertThat(s.connected()).isTrue();
            });
            real.close();
        }
    }

    @Test
    void aRefusedSessionIsOneLogLineAndNeverSaysTheConnectedSwitchCameOrWent() throws Exception {
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        List<ch.qos.logback.classic.Logger> loggers = List.of(
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ControllerCore.class),
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(SwitchSession.class));
        loggers.forEach(l -> l.addAppender(lines));
        try (ControllerCore core = new ControllerCore(ControllerOptions.builder().port(0).build())) {
            EmbeddedChannel real = handshake(core, 0xabcL, "br-int");
            awaitConnected(core, Dpid.of(0xabc));
            awaitClosed(exchangeHandshake(core, 0xabcL, "br-other").channel());
            real.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (core.switches().stream().anyMatch(s -> s.connected()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            loggers.forEach(l -> l.detachAppender(lines));
        }
        assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                // the embedded switch never answers the flow dump of its reconciliation, which fails when it closes
                .filteredOn(line -> line.contains("0000000000000abc") && !line.contains("cannot read its flows"))
                .satisfiesExactly(
                        line -> assertThat(line).startsWith("switch 0000000000000abc (br-int) connected from embedded"),
                        line -> assertThat(line).startsWith("refusing a second session for switch 0000000000000abc (br-other)"),
                        line -> assertThat(line).isEqualTo("switch 0000000000000abc (br-int) disconnected"));
    }

    @Test
    void twoSwitchesWithTheSameBridgeNameAreTwoSwitches() throws Exception {
        try (ControllerCore core = new ControllerCore(ControllerOptions.builder().port(0).build())) {
            EmbeddedChannel hostA = handshake(core, 0xa1L, "br-int");
            EmbeddedChannel hostB = handshake(core, 0xb2L, "br-int");
            awaitConnected(core, Dpid.of(0xa1));
            awaitConnected(core, Dpid.of(0xb2));

            assertThat(hostA.isOpen()).isTrue();
            assertThat(hostB.isOpen()).isTrue();
            assertThat(core.refusedSessions()).isZero();
            assertThat(core.switches()).extracting(s -> s.dpid().toString(), s -> s.name())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("00000000000000a1", "br-int"),
                            org.assertj.core.groups.Tuple.tuple("00000000000000b2", "br-int"));
            hostA.close();
            hostB.close();
        }
    }

    @Test
    void aSwitchWhoseSessionDiedIsLetBackIn() throws Exception {
        try (ControllerCore core = new ControllerCore(ControllerOptions.builder().port(0).build())) {
            EmbeddedChannel first = handshake(core, 0xabcL, "br-int");
            awaitConnected(core, Dpid.of(0xabc));
            first.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (core.switches().stream().anyMatch(s -> s.connected())) {
                assertThat(System.nanoTime()).as("the first session gone").isLessThan(deadline);
                Thread.sleep(10);
            }
            EmbeddedChannel again = handshake(core, 0xabcL, "br-int");
            awaitConnected(core, Dpid.of(0xabc));
            assertThat(again.isOpen()).isTrue();
            assertThat(core.refusedSessions()).isZero();
            again.close();
        }
    }

    private static void awaitClosed(EmbeddedChannel ch) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ch.isOpen() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static void awaitConnected(ControllerCore core, Dpid dpid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (core.switches().stream().noneMatch(s -> dpid.equals(s.dpid()) && s.connected())) {
            assertThat(System.nanoTime()).as("switch %s connected", dpid).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** A switch's side of the handshake, as Open vSwitch answers it, up to the session's ACTIVE state. */
    /** A switch that completes the handshake and is let in: its session is active. */
    private static EmbeddedChannel handshake(ControllerCore core, long dpid, String bridge) {
        Handshake done = exchangeHandshake(core, dpid, bridge);
        assertThat(done.session().state()).isEqualTo(SwitchSession.State.ACTIVE);
        return done.channel();
    }

    private record Handshake(SwitchSession session, EmbeddedChannel channel) {
    }

    /** Plays a switch's side of the handshake: hello, features, port descriptions. */
    private static Handshake exchangeHandshake(ControllerCore core, long dpid, String bridge) {
        SwitchSession session = new SwitchSession(core, Duration.ofSeconds(5), true);
        EmbeddedChannel ch = new EmbeddedChannel(session);
        ch.readOutbound();
        ch.writeInbound(SwitchSession.OF.buildHello().setXid(1).setElements(List.of(
                SwitchSession.OF.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(0x10))).build())).build());
        ch.readOutbound();
        ch.writeInbound(SwitchSession.OF.buildFeaturesReply().setXid(2).setDatapathId(DatapathId.of(dpid)).build());
        ch.readOutbound();
        ch.writeInbound(SwitchSession.OF.buildPortDescStatsReply().setXid(3)
                .setEntries(List.of(port(OFPort.LOCAL, bridge), port(OFPort.of(1), "hostA"))).build());
        return new Handshake(session, ch);
    }

    private static OFPortDesc port(OFPort number, String name) {
        return SwitchSession.OF.buildPortDesc().setPortNo(number).setName(name).setHwAddr(MacAddress.of(2L)).build();
    }
}
