package io.cutover.it.tunnel;

import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.Forwarder;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveStatus;
import io.cutover.tunnel.TunnelKey;
import io.cutover.tunnel.impl.PacketSealer;
import io.cutover.tunnel.impl.VxlanHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forwarder on a LAN lab: hostA is the source, hostB the destination, the tunnel runs over their direct
 * underlay cable; the client has a stale view of where the VM is (br-tor still sends its frames to br-a).
 */
class TunnelLanIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    private static Forwarder atA;
    private static Forwarder atB;

    @BeforeAll
    static void forwarders() {
        LabTunnel.quietVm(LAB.lab());
        atA = LabTunnel.forwarder(LAB.lab(), "hostA");
        atB = LabTunnel.forwarder(LAB.lab(), "hostB");
    }

    @AfterAll
    static void stop() {
        if (atA != null) {
            atA.close();
        }
        if (atB != null) {
            atB.close();
        }
    }

    private static void event(String id, CutoverStage stage) {
        atA.onEvent(CutoverEvent.now(id, stage)).toCompletableFuture().join();
        atB.onEvent(CutoverEvent.now(id, stage)).toCompletableFuture().join();
    }

    private static void addBoth(MoveSpec source) throws Exception {
        atB.add(LabTunnel.destinationSpec(source));
        atA.add(source);
    }

    private static void removeBoth(String id) {
        LabTunnel.forgetStaleEntry(LAB.lab());
        atA.remove(id);
        atB.remove(id);
    }

    @Test
    void framesFromAStaleClientReachTheVmThroughTheTunnelAfterTheMove() throws Exception {
        Lab lab = LAB.lab();
        LabTunnel.resetVmOnSourceSide(lab);
        MoveSpec spec = LabTunnel.sourceSpec(lab, "stale", 101, null);
        try (LabTunnel.ProbeReceiver vm = new LabTunnel.ProbeReceiver(lab);
             LabTunnel.ProbeSender client = new LabTunnel.ProbeSender(lab)) {
            client.send(0);
            assertThat(vm.await(1, 5_000)).as("the VM gets probes before the move").isEqualTo(1);

            LabTunnel.moveVm(lab);
            for (int i = 1; i <= 5; i++) {
                client.send(i);
            }
            Thread.sleep(500);
            assertThat(vm.received).as("without the tunnel, a stale client's frames are lost").containsExactly(0);

            addBoth(spec);
            event("stale", CutoverStage.ACTIVATED);
            for (int i = 100; i < 120; i++) {
                client.send(i);
                Thread.sleep(5);
            }
            assertThat(vm.await(21, 10_000)).as("source %s, destination %s", atA.status("stale").orElseThrow(),
                    atB.status("stale").orElseThrow()).isEqualTo(21);
            assertThat(vm.received.subList(1, 21)).containsExactlyElementsOf(range(100, 120));
            MoveStatus source = atA.status("stale").orElseThrow();
            MoveStatus destination = atB.status("stale").orElseThrow();
            assertThat(source.counter("sent")).isGreaterThanOrEqualTo(20);
            assertThat(destination.counter("injected")).isGreaterThanOrEqualTo(20);
            assertThat(destination.drops()).isEmpty();
        } finally {
            removeBoth("stale");
        }
    }

    @Test
    void blackoutOf200msAt1000ProbesPerSecondLosesNothingAndKeepsOrder() throws Exception {
        Lab lab = LAB.lab();
        LabTunnel.resetVmOnSourceSide(lab);
        MoveSpec spec = LabTunnel.sourceSpec(lab, "blackout", 102, TunnelKey.of(new SecureRandom().generateSeed(32), null));
        int total = 1500;
        try (LabTunnel.ProbeReceiver vm = new LabTunnel.ProbeReceiver(lab);
             LabTunnel.ProbeSender client = new LabTunnel.ProbeSender(lab)) {
            addBoth(spec);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    client.sendPaced(0, total, 1000);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            event("blackout", CutoverStage.SWITCHOVER);
            LabTunnel.moveVm(lab);
            // the VM is reachable nowhere but through the forwarder's buffer for 200 ms (ovs-vsctl may take a while
            // on a loaded machine, so the 200 ms count from the moment the cable is in its new place)
            TimeUnit.MILLISECONDS.sleep(200);
            event("blackout", CutoverStage.ACTIVATED);
            sending.get(30, TimeUnit.SECONDS);
            vm.await(total, 15_000);

            MoveStatus source = atA.status("blackout").orElseThrow();
            assertThat(source.counter("flushed")).as("frames were held during the blackout").isGreaterThan(50);
            assertThat(source.drops()).isEmpty();
            List<Integer> missing = range(0, total).stream().filter(n -> !vm.received.contains(n)).toList();
            assertThat(missing).as("none lost (destination drops %s, source drops %s)",
                    atB.status("blackout").orElseThrow().drops(), source.drops()).isEmpty();
            assertThat(vm.received).as("none duplicated, in order").containsExactlyElementsOf(range(0, total));
        } finally {
            removeBoth("blackout");
        }
    }

    @Test
    void packetsFromUnknownPeersWithBadTagsOrReplayedAreDroppedCountedAndNeverReachTheVm() throws Exception {
        Lab lab = LAB.lab();
        LabTunnel.resetVmOnSourceSide(lab);
        TunnelKey key = TunnelKey.of(new SecureRandom().generateSeed(32), null);
        MoveSpec spec = LabTunnel.sourceSpec(lab, "secure", 103, key);
        try (LabTunnel.ProbeReceiver vm = new LabTunnel.ProbeReceiver(lab);
             LabTunnel.ProbeSender client = new LabTunnel.ProbeSender(lab)) {
            LabTunnel.moveVm(lab);
            addBoth(spec);
            event("secure", CutoverStage.ACTIVATED);

            CompletableFuture<byte[]> sniffed = sniffTunnelPayload(lab);
            Thread.sleep(300);
            client.send(1);
            assertThat(vm.await(1, 10_000)).isEqualTo(1);
            byte[] genuine = sniffed.get(10, TimeUnit.SECONDS);
            assertThat(VxlanHeader.sealed(genuine, 0)).as("authenticated mode seals every packet").isTrue();

            byte[] forged = sealed(TunnelKey.of(new SecureRandom().generateSeed(32), null), 103, 1_000_000, genuine);
            byte[] wrongVni = genuine.clone();
            wrongVni[6] ^= 0x55;
            InetSocketAddress tunnelAtB = new InetSocketAddress(InetAddress.getByName(LabTunnel.UNDERLAY_B), 4789);
            InetSocketAddress hostBOnLan = new InetSocketAddress(InetAddress.getByName(lab.port("hostB").ipv4Address()), 4789);
            try (Netns a = lab.netns("hostA"); Netns c = lab.netns("client")) {
                DatagramSocket fromPeerAddress = a.call(() -> new DatagramSocket(
                        new InetSocketAddress(InetAddress.getByName(LabTunnel.UNDERLAY_A), 0)));
                DatagramSocket fromStranger = c.call(() -> new DatagramSocket());
                try (fromPeerAddress; fromStranger) {
                    for (int i = 0; i < 5; i++) {
                        fromPeerAddress.send(new DatagramPacket(genuine, genuine.length, tunnelAtB));
                        fromPeerAddress.send(new DatagramPacket(forged, forged.length, tunnelAtB));
                        fromStranger.send(new DatagramPacket(genuine, genuine.length, hostBOnLan));
                    }
                    fromPeerAddress.send(new DatagramPacket(wrongVni, wrongVni.length, tunnelAtB));
                    fromPeerAddress.send(new DatagramPacket(genuine, 5, tunnelAtB));
                    fromPeerAddress.send(new DatagramPacket(genuine, 12, tunnelAtB));
                }
            }
            long deadline = System.currentTimeMillis() + 10_000;
            while (atB.stats().drops(DropReason.UNKNOWN_PEER) < 5 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            client.send(2);
            assertThat(vm.await(2, 10_000)).isEqualTo(2);
            Thread.sleep(200);

            var stats = atB.stats();
            assertThat(stats.drops(DropReason.REPLAYED)).isEqualTo(5);
            assertThat(stats.drops(DropReason.BAD_TAG)).isEqualTo(5);
            assertThat(stats.drops(DropReason.UNKNOWN_PEER)).isEqualTo(5);
            assertThat(stats.drops(DropReason.WRONG_VNI)).isEqualTo(1);
            assertThat(stats.drops(DropReason.TRUNCATED)).isEqualTo(2);
            assertThat(vm.received).as("only the client's own probes reached the VM").containsExactly(1, 2);
            assertThat(atB.status("secure").orElseThrow().counter("injected")).isEqualTo(2);
        } finally {
            removeBoth("secure");
        }
    }

    @Test
    void l3ModeDeliversWhatAStaleArpEntrySendsToTheOldHostAndRewritesTheOldAddress() throws Exception {
        Lab lab = LAB.lab();
        LabTunnel.resetVmOnSourceSide(lab);
        LabTunnel.forgetStaleEntry(lab);
        LabTunnel.moveVm(lab);
        String oldAddress = "198.18.0.200";
        String hostAMac = lab.exec("hostA", "cat", "/sys/class/net/eth0/address").orThrow().stdout().strip();
        lab.exec("client", "ip", "neigh", "replace", oldAddress, "lladdr", hostAMac, "dev", "eth0", "nud", "permanent").orThrow();
        MoveSpec spec = MoveSpec.builder("l3", 104)
                .role(io.cutover.tunnel.Role.SOURCE)
                .mode(io.cutover.tunnel.TunnelMode.L3)
                .vmMac(Topology.VM_MAC)
                .vmAddresses(List.of(InetAddress.getByName(oldAddress)))
                .newAddress(InetAddress.getByName(lab.port("vm1").ipv4Address()))
                .peer(new InetSocketAddress(InetAddress.getByName(LabTunnel.UNDERLAY_B), 4789))
                .iface("eth0")
                .key(TunnelKey.of(new SecureRandom().generateSeed(16), null))
                .build();
        try (LabTunnel.ProbeReceiver vm = new LabTunnel.ProbeReceiver(lab);
             LabTunnel.ProbeSender client = new LabTunnel.ProbeSender(lab, oldAddress)) {
            client.send(0);
            Thread.sleep(300);
            assertThat(vm.received).as("the old address leads to the old host only").isEmpty();
            addBoth(spec);
            event("l3", CutoverStage.ACTIVATED);
            for (int i = 1; i <= 20; i++) {
                client.send(i);
                Thread.sleep(5);
            }
            assertThat(vm.await(20, 10_000)).as("rewritten old -> new with valid checksums, accepted by the VM's kernel")
                    .isEqualTo(20);
            assertThat(vm.received).containsExactlyElementsOf(range(1, 21));
            assertThat(atB.status("l3").orElseThrow().counter("rewritten")).isGreaterThanOrEqualTo(20);
        } finally {
            lab.exec("client", "ip", "neigh", "del", oldAddress, "dev", "eth0");
            removeBoth("l3");
        }
    }

    @Test
    void l3PacketTooBigForTheTunnelTeachesItsSenderThePathMtuAndNoOuterPacketIsFragmented() throws Exception {
        Lab lab = LAB.lab();
        LabTunnel.resetVmOnSourceSide(lab);
        LabTunnel.forgetStaleEntry(lab);
        LabTunnel.moveVm(lab);
        String oldAddress = "198.18.0.201";
        String hostAMac = lab.exec("hostA", "cat", "/sys/class/net/eth0/address").orThrow().stdout().strip();
        lab.exec("client", "ip", "neigh", "replace", oldAddress, "lladdr", hostAMac, "dev", "eth0", "nud", "permanent").orThrow();
        MoveSpec spec = MoveSpec.builder("mtu", 105)
                .role(io.cutover.tunnel.Role.SOURCE)
                .mode(io.cutover.tunnel.TunnelMode.L3)
                .vmMac(Topology.VM_MAC)
                .vmAddresses(List.of(InetAddress.getByName(oldAddress)))
                .newAddress(InetAddress.getByName(lab.port("vm1").ipv4Address()))
                .peer(new InetSocketAddress(InetAddress.getByName(LabTunnel.UNDERLAY_B), 4789))
                .iface("eth0")
                .key(TunnelKey.of(new SecureRandom().generateSeed(16), null))
                .build();
        // 1500 - outer IPv4/UDP 28 - VXLAN 8 - salt 16 - sequence 8 - tag 16 - inner Ethernet 14
        int tunnelMtu = 1410;
        try {
            addBoth(spec);
            event("mtu", CutoverStage.ACTIVATED);
            assertThat(lab.exec("client", "ip", "route", "get", oldAddress).orThrow().stdout())
                    .as("no path MTU known before").doesNotContain("mtu");

            CompletableFuture<byte[]> tunnelled = sniffTunnelFrame(lab);
            Thread.sleep(300);
            String routeCache = "";
            long deadline = System.currentTimeMillis() + 15_000;
            while (!routeCache.contains("mtu " + tunnelMtu) && System.currentTimeMillis() < deadline) {
                // 1,500 bytes with DF: too big for the tunnel; then one that fits, which the tunnel carries
                lab.exec("client", "ping", "-c", "1", "-W", "1", "-M", "do", "-s", "1472", oldAddress);
                lab.exec("client", "ping", "-c", "1", "-W", "1", "-M", "do", "-s", "1000", oldAddress);
                routeCache = lab.exec("client", "ip", "route", "get", oldAddress).orThrow().stdout();
            }
            MoveStatus source = atA.status("mtu").orElseThrow();
            assertThat(routeCache).as("the client's kernel learned the tunnel's MTU from the ICMP fragmentation-needed "
                    + "(source %s)", source).contains("mtu " + tunnelMtu);
            assertThat(source.drops(DropReason.TOO_BIG)).isGreaterThanOrEqualTo(1);
            assertThat(source.counter("tooBigAnswered")).isGreaterThanOrEqualTo(1);

            byte[] outer = tunnelled.get(10, TimeUnit.SECONDS);
            assertThat(outer[14 + 6] & 0x40).as("the outer IPv4 header has DF").isEqualTo(0x40);
            assertThat(((outer[14 + 6] & 0x1F) << 8 | (outer[14 + 7] & 0xFF)) | (outer[14 + 6] & 0x20))
                    .as("and is no fragment").isZero();
            long carriedDeadline = System.currentTimeMillis() + 10_000;
            while (atB.status("mtu").orElseThrow().counter("injected") == 0 && System.currentTimeMillis() < carriedDeadline) {
                lab.exec("client", "ping", "-c", "1", "-W", "1", "-M", "do", "-s", "1000", oldAddress);
            }
            assertThat(atB.status("mtu").orElseThrow().counter("injected")).as("what fits is carried (source %s, destination %s)",
                    atA.status("mtu").orElseThrow(), atB.status("mtu").orElseThrow()).isGreaterThanOrEqualTo(1);
        } finally {
            lab.exec("client", "ip", "neigh", "del", oldAddress, "dev", "eth0");
            lab.exec("client", "ip", "route", "flush", "cache");
            removeBoth("mtu");
        }
    }

    /** The UDP payload of the next tunnel packet on hostB's underlay, caught with Pcap4J. */
    private static CompletableFuture<byte[]> sniffTunnelPayload(Lab lab) {
        return sniffTunnelFrame(lab).thenApply(LabTunnel.TunnelSniffer::payload);
    }

    /** The whole frame of the next tunnel packet on hostB's underlay, caught with Pcap4J. */
    private static CompletableFuture<byte[]> sniffTunnelFrame(Lab lab) {
        try {
            LabTunnel.TunnelSniffer sniffer = new LabTunnel.TunnelSniffer(lab, "hostB", "eth1");
            return sniffer.first().orTimeout(10, TimeUnit.SECONDS).whenCompleteAsync((frame, error) -> {
                try {
                    sniffer.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A packet sealed with another key, for the VNI, whose frame is a copy of nothing real. */
    private static byte[] sealed(TunnelKey key, int vni, long seq, byte[] like) {
        byte[] frame = new byte[Math.max(60, like.length - PacketSealer.sealedLength(0))];
        byte[] out = new byte[PacketSealer.sealedLength(frame.length)];
        PacketSealer.fresh(key, vni, PacketSealer.TOWARD_DESTINATION).seal(seq, frame, 0, frame.length, out);
        return out;
    }

    private static List<Integer> range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).boxed().toList();
    }
}
