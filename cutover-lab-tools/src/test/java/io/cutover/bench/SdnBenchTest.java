package io.cutover.bench;

import io.cutover.sdn.Cookie;
import io.cutover.sdn.FlowView;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.MacAddress;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SdnBenchTest {

    @Test
    void aPlannedFlowBecomesAnOvsOfctlLine() {
        assertThat(SdnBench.ofctlLine(new FlowView(io.cutover.sdn.Dpid.of(1), 1, 100, Cookie.of(1, 2, 0), "eth_dst=02:b0:00:00:00:01",
                "output:1"))).isEqualTo("table=1,priority=100,cookie=0xc700010000020000,eth_dst=02:b0:00:00:00:01,actions=output:1");
        assertThat(SdnBench.ofctlLine(new FlowView(io.cutover.sdn.Dpid.of(1), 0, 100, Cookie.of(0, 0, 0), "in_port=1", "goto_table:1")))
                .isEqualTo("table=0,priority=100,cookie=0xc700000000000000,in_port=1,actions=goto_table:1");
    }

    @Test
    void aPlannedUnicastFlowBecomesTheFlowModThePlanSends() {
        OFFlowMod mod = SdnBench.flowMods(List.of(new FlowView(io.cutover.sdn.Dpid.of(1), 1, 100, Cookie.of(1, 2, 0),
                "eth_dst=02:b0:00:00:00:01,metadata=0x1", "output:3"))).get(0);
        assertThat(mod.getTableId().getValue()).isEqualTo((short) 1);
        assertThat(mod.getPriority()).isEqualTo(100);
        assertThat(mod.getCookie().getValue()).isEqualTo(Cookie.of(1, 2, 0));
        assertThat(mod.getMatch().get(MatchField.ETH_DST)).isEqualTo(MacAddress.of("02:b0:00:00:00:01"));
        assertThat(mod.getMatch().get(MatchField.METADATA).getValue().getValue()).as("its network").isEqualTo(1L);
        assertThat(mod.getInstructions()).hasToString("[OFInstructionApplyActionsVer13(actions=[OFActionOutputVer13(port=3, maxLen=0)])]");
        assertThatThrownBy(() -> SdnBench.flowMods(List.of(new FlowView(io.cutover.sdn.Dpid.of(1), 0, 100, 0, "in_port=1", "goto_table:1"))))
                .hasMessageContaining("not a unicast flow");
    }

    @Test
    void everyEndpointOfTheNetworksRunHasItsOwnIdMacAndAPortNameLinuxTakes() {
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        java.util.Set<String> macs = new java.util.HashSet<>();
        java.util.Set<String> ports = new java.util.HashSet<>();
        for (int network = 1; network <= 1000; network++) {
            for (String side : List.of("a", "b")) {
                io.cutover.sdn.Endpoint e = SdnBench.networkEndpoint(network, side, io.cutover.sdn.Dpid.of(0xa0));
                assertThat(e.network()).isEqualTo(network);
                assertThat(ids.add(e.id())).as("id of " + e.name()).isTrue();
                assertThat(macs.add(e.mac())).as("mac of " + e.name()).isTrue();
                assertThat(ports.add(e.port())).as("port of " + e.name()).isTrue();
                assertThat(e.port().length()).as(e.port()).isLessThanOrEqualTo(15);
            }
        }
        assertThat(ids).doesNotContain(100).allMatch(id -> id > 10_000, "above the install's ids");
    }
}
