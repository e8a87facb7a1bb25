package io.cutover.sdn.impl;

import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.SwitchInfo;
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
    void aSecondConnectionNamingAConnectedSwitchIsRefusedAndTheFirstStays() throws Exception {
        try (ControllerCore core = new ControllerCore(ControllerOptions.builder().port(0).build())) {
            EmbeddedChannel real = handshake(core, 0xabcL, "br-a");
            awaitConnected(core, "0000000000000abc");

            EmbeddedChannel impostor = handshake(core, 0xdefL, "br-a");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (impostor.isOpen() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }

            assertThat(impostor.isOpen()).as("the second connection for br-a").isFalse();
            assertThat(real.isOpen()).as("the switch that was connected first").isTrue();
            assertThat(core.switches()).filteredOn(s -> s.name().equals("br-a")).singleElement()
                    .satisfies(s -> {
                        assertThat(s.dpid()).isEqualTo("0000000000000abc");
                        assertThat(s.connected()).isTrue();
                    });
            real.close();
        }
    }

    private static void awaitConnected(ControllerCore core, String dpid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (core.switches().stream().noneMatch(s -> dpid.equals(s.dpid()) && s.connected())) {
            assertThat(System.nanoTime()).as("switch %s connected", dpid).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** A switch's side of the handshake, as Open vSwitch answers it, up to the session's ACTIVE state. */
    private static EmbeddedChannel handshake(ControllerCore core, long dpid, String bridge) {
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
        assertThat(session.state()).isEqualTo(SwitchSession.State.ACTIVE);
        return ch;
    }

    private static OFPortDesc port(OFPort number, String name) {
        return SwitchSession.OF.buildPortDesc().setPortNo(number).setName(name).setHwAddr(MacAddress.of(2L)).build();
    }
}
