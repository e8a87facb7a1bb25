package io.cutover.tunnel.impl;

import io.cutover.support.fuzz.Fuzzer;
import io.cutover.support.fuzz.QuietLogs;
import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.ForwarderStats;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelKey;
import io.cutover.tunnel.TunnelMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What reaches a tunnel daemon from outside, fuzzed (see {@link Fuzzer}) on a forwarder with real moves: VXLAN
 * datagrams from the peer (plain L3 with a new address, sealed L2, plain L3 with a reverse tunnel at both ends), and the
 * Ethernet frames a guest or its LAN sends (caught at the source, caught as a reply at the destination). Every
 * datagram ends as exactly one injected frame or one counted drop, an injected frame is never longer than the
 * datagram it came in, and nothing throws.
 */
class TunnelPacketsFuzzTest {
    private static final byte[] VM_IP6 = address("2001:db8::64");
    private static final byte[] CLIENT_IP6 = address("2001:db8::10");
    private static final byte[] NEW_IP = {(byte) 198, 18, 1, 100};
    private static final byte[] KEY = new byte[32];
    private QuietLogs quiet;
    private final List<Integer> injectedLengths = new ArrayList<>();
    private DatagramSocket peer;
    private InetSocketAddress peerAddress;
    private DefaultForwarder forwarder;
    private MoveRuntime plain;
    private MoveRuntime back;
    private MoveRuntime replies;

    @BeforeEach
    void startAForwarderWithFourMoves() throws Exception {
        quiet = QuietLogs.of("io.cutover.tunnel");
        peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
        forwarder = DefaultForwarder.startDetached(ForwarderOptions.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build());
        plain = forwarder.openDetached(spec("plain", 100, Role.DESTINATION).insecurePlain(true).mode(TunnelMode.L3)
                .newAddress(InetAddress.getByAddress(NEW_IP)).build(), MoveState.FORWARDING);
        replies = forwarder.openDetached(spec("replies", 400, Role.DESTINATION).insecurePlain(true).mode(TunnelMode.L3).reverse(true).build(),
                MoveState.FORWARDING);
        MoveRuntime sealed = forwarder.openDetached(spec("sealed", 200, Role.DESTINATION)
                .key(TunnelKey.of(KEY, null)).build(), MoveState.FORWARDING);
        back = forwarder.openDetached(spec("back", 300, Role.SOURCE).insecurePlain(true).mode(TunnelMode.L3).reverse(true).build(),
                MoveState.FORWARDING);
        for (MoveRuntime move : List.of(plain, sealed, replies)) {
            move.attachSink(recording());
        }
        back.attachReplySink(recording());
        back.attachProxy(new NeighbourAnswers(TestFrames.CLIENT_MAC, List.of(TestFrames.VM_IP, VM_IP6)));
    }

    @AfterEach
    void stop() {
        quiet.close();
        forwarder.close();
        peer.close();
    }

    @Test
    void everyDatagramFromThePeerIsInjectedOrCountedAsADrop() {
        Fuzzer.Result result = Fuzzer.of("tunnel datagrams").seeds(datagrams()).run(input -> {
            long before = outcomes();
            injectedLengths.clear();
            forwarder.receive(peerAddress, input, input.length);
            assertThat(outcomes()).as("one injected frame or one drop").isEqualTo(before + 1);
            for (int length : injectedLengths) {
                assertThat(length).isLessThanOrEqualTo(input.length - VxlanHeader.LENGTH);
            }
        });
        assertThat(result.accepted()).isPositive();
        ForwarderStats stats = forwarder.stats();
        assertThat(stats.total("injected")).as("some mutated datagrams still carry a frame for the VM").isPositive();
        assertThat(stats.drops(DropReason.BAD_TAG)).isPositive();
    }

    @Test
    void everyFrameFromAGuestOrItsLanIsSentOrCounted() {
        Fuzzer.Result result = Fuzzer.of("tunnel frames from the LAN").seeds(frames()).run(input -> {
            back.caught(input.clone());
            replies.caughtReply(input.clone());
        });
        assertThat(result.accepted()).isPositive();
    }

    private MoveSpec.Builder spec(String id, int vni, Role role) throws Exception {
        return MoveSpec.builder(id, vni).role(role).vmMac("02:00:c6:12:00:64")
                .vmAddresses(List.of(InetAddress.getByAddress(TestFrames.VM_IP), InetAddress.getByAddress(VM_IP6)))
                .peer(peerAddress).iface("unused")
                // a long run refuses most of a move's traffic: the default 30 s of quiet would end it midway
                .drain(new DrainPolicy(Duration.ofDays(1), Duration.ofDays(2), null));
    }

    /** Injected frames and drops over the whole forwarder. */
    private long outcomes() {
        ForwarderStats stats = forwarder.stats();
        long drops = 0;
        for (DropReason reason : DropReason.values()) {
            drops += stats.drops(reason);
        }
        return drops + stats.total("injected");
    }

    private FrameSink recording() {
        return new FrameSink() {
            @Override
            public boolean inject(byte[] frame, int length) {
                injectedLengths.add(length);
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    /** Frames for the VM (and, for the reverse tunnel, from it) as the peer's forwarder puts them in datagrams. */
    private static List<byte[]> datagrams() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] frame : frames()) {
            out.add(plainPacket(100, frame));
        }
        out.add(plainPacket(400, frames().get(0)));
        out.add(plainPacket(300, TestFrames.ipv4(TestFrames.CLIENT_MAC, TestFrames.VM_IP, TestFrames.CLIENT_IP, 17, new byte[20])));
        out.add(plainPacket(300, ipv6(TestFrames.CLIENT_MAC, VM_IP6, CLIENT_IP6, new byte[12])));
        PacketSealer sealer = PacketSealer.fresh(TunnelKey.of(KEY, null), 200, PacketSealer.TOWARD_DESTINATION);
        long seq = 1;
        for (byte[] frame : frames()) {
            byte[] sealed = new byte[PacketSealer.sealedLength(frame.length)];
            sealer.seal(seq++, frame, 0, frame.length, sealed);
            out.add(sealed);
        }
        return out;
    }

    private static byte[] plainPacket(int vni, byte[] frame) {
        byte[] packet = new byte[VxlanHeader.LENGTH + frame.length];
        VxlanHeader.write(packet, 0, vni, false);
        System.arraycopy(frame, 0, packet, VxlanHeader.LENGTH, frame.length);
        return packet;
    }

    /** For the VM: UDP and TCP over IPv4, UDP over IPv6, 802.1Q-tagged IPv4; and ARP and ND questions for it. */
    private static List<byte[]> frames() {
        byte[] udp = TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 17, new byte[32]);
        byte[] tagged = new byte[udp.length + 4];
        System.arraycopy(udp, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[15] = 7;
        System.arraycopy(udp, 12, tagged, 16, udp.length - 12);
        return List.of(udp, TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 6, new byte[100]),
                ipv6(TestFrames.VM_MAC, CLIENT_IP6, VM_IP6, new byte[24]), tagged, TestFrames.arpRequest(TestFrames.VM_IP),
                neighbourSolicitation(VM_IP6));
    }

    private static byte[] ipv6(byte[] dstMac, byte[] src, byte[] dst, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 8 + payload.length);
        b.put(dstMac).put(TestFrames.CLIENT_MAC).putShort((short) 0x86DD);
        b.putInt(0x6000_0000).putShort((short) (8 + payload.length)).put((byte) 17).put((byte) 64).put(src).put(dst);
        b.putShort((short) 40000).putShort((short) 9999).putShort((short) (8 + payload.length)).putShort((short) 0x1234);
        b.put(payload);
        return b.array();
    }

    private static byte[] neighbourSolicitation(byte[] target) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 32);
        b.put(new byte[]{0x33, 0x33, (byte) 0xff, target[13], target[14], target[15]}).put(TestFrames.CLIENT_MAC)
                .putShort((short) 0x86DD);
        b.putInt(0x6000_0000).putShort((short) 32).put((byte) 58).put((byte) 255).put(CLIENT_IP6)
                .put(new byte[]{(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte) 0xff, target[13], target[14], target[15]});
        b.put((byte) 135).put((byte) 0).putShort((short) 0).putInt(0).put(target);
        b.put((byte) 1).put((byte) 1).put(TestFrames.CLIENT_MAC);
        return b.array();
    }

    private static byte[] address(String text) {
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
