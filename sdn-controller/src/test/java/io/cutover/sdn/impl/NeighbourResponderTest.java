package io.cutover.sdn.impl;

import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.cutover.sdn.impl.FlowPlannerTest.find;
import static org.assertj.core.api.Assertions.assertThat;

class NeighbourResponderTest {
    static final Dpid A = Dpid.of(0xa1);
    static final Dpid B = Dpid.of(0xb1);
    static final String MAC = "02:00:00:00:50:09";
    static final Map<Dpid, Map<String, Integer>> PORTS = Map.of(A, Map.of("vm", 1, "other", 2),
            B, Map.of("new", 3, "peer", 4));

    static ModelState model() {
        return ModelState.empty().withEndpoints(List.of(
                new ModelState.Placed(new Endpoint(9, "vm", 1, MAC, List.of("198.18.50.9/24", "2001:2:50::9"), A, "vm"), 0),
                new ModelState.Placed(new Endpoint(8, "other", 1, "02:00:00:00:50:08", List.of(), A, "other"), 0),
                new ModelState.Placed(new Endpoint(7, "peer", 1, "02:00:00:00:50:07", List.of(), B, "peer"), 0)));
    }

    @Test
    void anArpRequestForAKnownAddressIsAnsweredInTheSwitchAndTheOwnersOwnRequestsAreFlooded() {
        Map<FlowKey, FlowSpec> a = FlowPlanner.plan(model(), PORTS).get(A);
        String arp = "arp_op=1,arp_tpa=198.18.50.9,eth_type=0x806,metadata=0x1";
        String answer = find(a, 1, NeighbourResponder.PRIORITY_ANSWER, arp).actions();
        assertThat(answer).isEqualTo("move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:" + MAC + "->eth_src,set_field:2->arp_op,"
                + "move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],set_field:" + MAC + "->arp_sha,"
                + "move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:198.18.50.9->arp_spa,IN_PORT");
        List<String> own = a.values().stream().filter(f -> f.key().priority() == NeighbourResponder.PRIORITY_OWN
                && f.key().match().contains("arp_tpa=198.18.50.9")).map(f -> f.key().match() + " " + f.actions())
                .toList();
        assertThat(own).as("the owner's gratuitous ARPs and probes (from its MAC or its address) flood as before")
                .containsExactlyInAnyOrder(
                        "arp_op=1,arp_tpa=198.18.50.9,eth_src=" + MAC + ",eth_type=0x806,metadata=0x1 output:1,output:2",
                        "arp_op=1,arp_spa=198.18.50.9,arp_tpa=198.18.50.9,eth_type=0x806,metadata=0x1 output:1,output:2");
    }

    @Test
    void aSolicitationGoesToTheControllerButTheOwnersDuplicateAddressDetectionFloods() {
        Map<FlowKey, FlowSpec> b = FlowPlanner.plan(model(), PORTS).get(B);
        assertThat(b.values()).filteredOn(f -> f.key().priority() == NeighbourResponder.PRIORITY_ANSWER
                        && f.key().match().contains("ipv6_nd_target=2001:2:50::9"))
                .singleElement().satisfies(f -> assertThat(f.actions()).isEqualTo("CONTROLLER:65535"));
        assertThat(b.values()).filteredOn(f -> f.key().priority() == NeighbourResponder.PRIORITY_OWN
                        && f.key().match().contains("ipv6_nd_target=2001:2:50::9"))
                .singleElement().satisfies(f -> {
                    assertThat(f.key().match()).contains("eth_src=" + MAC);
                    assertThat(f.actions()).isEqualTo("output:4");
                });
    }

    @Test
    void aSolicitationIsAnsweredWithAValidAdvertisementAndADadProbeOrGarbageIsNot() throws Exception {
        byte[] asker = InetAddress.getByName("2001:2:50::1").getAddress();
        byte[] target = InetAddress.getByName("2001:2:50::9").getAddress();
        byte[] ns = solicitation(asker, target);
        byte[] na = NeighbourAdvertisement.answer(ns, address -> Optional.of(MAC)).orElseThrow();
        ByteBuffer frame = ByteBuffer.wrap(na);
        assertThat(HexFormat.of().formatHex(na, 0, 6)).isEqualTo("020000000001");
        assertThat(HexFormat.of().formatHex(na, 6, 12)).isEqualTo("020000005009");
        assertThat(frame.get(14 + 7) & 0xff).as("hop limit").isEqualTo(255);
        assertThat(java.util.Arrays.copyOfRange(na, 22, 38)).as("from the target").isEqualTo(target);
        assertThat(java.util.Arrays.copyOfRange(na, 38, 54)).as("to the asker").isEqualTo(asker);
        assertThat(frame.get(54) & 0xff).isEqualTo(136);
        assertThat(frame.get(58) & 0xff).as("solicited and override").isEqualTo(0x60);
        assertThat(HexFormat.of().formatHex(na, 78, 86)).as("target link-layer option").isEqualTo("0201020000005009");
        assertThat(NeighbourAdvertisement.checksum(target, asker, na, 54, 32)).as("checksum verifies").isZero();

        assertThat(NeighbourAdvertisement.answer(solicitation(new byte[16], target), address -> Optional.of(MAC)))
                .as("a duplicate address detection probe").isEmpty();
        assertThat(NeighbourAdvertisement.answer(ns, address -> Optional.empty())).as("an unknown target").isEmpty();
        assertThat(NeighbourAdvertisement.answer(java.util.Arrays.copyOf(ns, 60), address -> Optional.of(MAC)))
                .as("a truncated frame").isEmpty();
        byte[] lowHops = ns.clone();
        lowHops[21] = 64;
        assertThat(NeighbourAdvertisement.answer(lowHops, address -> Optional.of(MAC))).as("routed from afar").isEmpty();
    }

    /** A neighbour solicitation from 02:00:00:00:00:01 at {@code source} for {@code target}. */
    static byte[] solicitation(byte[] source, byte[] target) {
        ByteBuffer out = ByteBuffer.allocate(14 + 40 + 32);
        out.put(HexFormat.of().parseHex("3333ff000009")).put(HexFormat.of().parseHex("020000000001"))
                .putShort((short) 0x86dd);
        out.putInt(0x60000000).putShort((short) 32).put((byte) 58).put((byte) 255).put(source)
                .put(HexFormat.of().parseHex("ff0200000000000000000001ff000009"));
        out.put((byte) 135).put((byte) 0).putShort((short) 0).putInt(0).put(target);
        out.put((byte) 1).put((byte) 1).put(HexFormat.of().parseHex("020000000001"));
        return out.array();
    }
}
