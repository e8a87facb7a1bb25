package io.cutover.lab;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuestNetworkStatsTest {
    /** What the lab guest's console says to "stats" (Linux 6.1, two CPUs), echoed command and CRs included. */
    private static final String SAID = String.join("\r\n",
            "stats",
            "cutover: stats",
            "entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast rcv_probes_ucast "
                    + "periodic_gc_runs forced_gc_runs unresolved_discards table_fulls",
            "00000003 00000004 00000001 00000000 00000010 00000009 00000000 00000000 00000000 00000005 00000000 "
                    + "0000001a 00000000",
            "00000003 00000002 00000000 00000000 00000004 00000004 00000000 00000000 00000000 00000000 00000000 "
                    + "00000003 00000000",
            "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards",
            "Ip: 2 64 1500 0 0 0 0 0",
            "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors",
            "Udp: 1200 0 5 1195 4 0 0 0 0",
            "Inter-|   Receive                                                |  Transmit",
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls",
            "    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0",
            "  eth0:  123456    1500    0    7    0     0          0         0   654321    1490    0    0    0     0",
            "neigh: 198.18.0.10 lladdr 02:00:c6:12:00:0a ref 1 used 0/0/0 probes 1 REACHABLE",
            "cutover: stats end",
            "");

    @Test
    void readsTheCountersBetweenItsMarkersAndSumsTheArpTableOverCpus() {
        GuestNetworkStats stats = GuestNetworkStats.parse(SAID);
        assertThat(stats.unresolvedDiscards()).isEqualTo(0x1a + 3);
        assertThat(stats.udpInErrors()).isEqualTo(5);
        assertThat(stats.udpRcvbufErrors()).isEqualTo(4);
        assertThat(stats.rxDropped()).isEqualTo(7);
        assertThat(stats.neighbours()).containsExactly(
                "198.18.0.10 lladdr 02:00:c6:12:00:0a ref 1 used 0/0/0 probes 1 REACHABLE");
        GuestNetworkStats later = GuestNetworkStats.parse(SAID.replace("0000001a", "00000100"));
        assertThat(later.since(stats).unresolvedDiscards()).isEqualTo(0x100 - 0x1a);
        assertThat(later.since(stats).summary()).startsWith("arp unresolved discards 230, udp in errors 0 (rcvbuf 0)");
    }

    @Test
    void aCutAnswerIsAnError() {
        assertThatThrownBy(() -> GuestNetworkStats.parse(SAID.substring(0, SAID.indexOf("cutover: stats end"))))
                .isInstanceOf(LabException.class).hasMessageContaining("cut");
        assertThatThrownBy(() -> GuestNetworkStats.parse(SAID.replace("  eth0:", "  ens3:")))
                .isInstanceOf(LabException.class).hasMessageContaining("eth0");
    }
}
