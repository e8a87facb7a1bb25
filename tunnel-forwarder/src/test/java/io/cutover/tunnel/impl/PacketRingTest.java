package io.cutover.tunnel.impl;

import io.cutover.support.Netns;
import io.cutover.tunnel.TunnelException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The capture ring on a real veth pair in a namespace of its own (root only): frames injected at one end with the
 * forwarder's packet socket are caught at the other, all of them, in order, byte for byte; one longer than the snapshot
 * length arrives cut, with its wire length; frames the filter refuses never arrive.
 */
class PacketRingTest {
    private static final String NS = "cutover-ringtest-" + ProcessHandle.current().pid();
    private static final String FILTER = "ether dst 02:00:00:00:00:01";
    private static final int SNAPLEN = 1000;
    private static boolean root;

    @BeforeAll
    static void namespace() throws Exception {
        root = "root".equals(System.getProperty("user.name"));
        if (root) {
            ip("netns", "add", NS);
            ip("-n", NS, "link", "add", "rt0", "type", "veth", "peer", "name", "rt1");
            for (String dev : List.of("rt0", "rt1")) {
                run("ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv6.conf." + dev + ".disable_ipv6=1");
                ip("-n", NS, "link", "set", dev, "up");
            }
        }
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (root) {
            ip("netns", "del", NS);
        }
    }

    @Test
    void everyFrameIsCaughtInOrderByteForByteAndAnOversizedOneArrivesCut() throws Exception {
        assumeTrue(root, "packet sockets and namespaces need root");
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            sent.add(frame(i, i == 1234 ? 1400 : 60 + i % 800, (byte) 0x01));
            if (i % 100 == 0) {
                sent.add(frame(i, 100, (byte) 0x02)); // for someone else: the filter refuses it
            }
        }
        List<byte[]> caught = new ArrayList<>();
        List<Integer> wireLengths = new ArrayList<>();
        try (Netns ns = Netns.of(NS)) {
            ns.run(() -> {
                try (PacketRing ring = PacketRing.open("t", "rt1", FILTER, SNAPLEN);
                     PacketSocketSink injector = PacketSocketSink.open("t", "rt0")) {
                    assertThat(injector.injectAll(sent)).isEqualTo(sent.size());
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (caught.size() < 3000 && System.nanoTime() < deadline) {
                        ring.read(50, Integer.MAX_VALUE, (buffer, offset, length, wireLength) -> {
                            byte[] f = new byte[length];
                            buffer.get(offset, f);
                            caught.add(f);
                            wireLengths.add(wireLength);
                        });
                    }
                    assertThat(ring.newDrops()).isZero();
                }
            });
        }
        List<byte[]> expected = sent.stream().filter(f -> f[5] == 0x01).toList();
        assertThat(caught).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            byte[] e = expected.get(i);
            if (e.length > SNAPLEN) {
                assertThat(caught.get(i)).as("frame %d, cut", i).isEqualTo(java.util.Arrays.copyOf(e, SNAPLEN));
                assertThat(wireLengths.get(i)).isEqualTo(e.length);
            } else {
                assertThat(caught.get(i)).as("frame %d", i).isEqualTo(e);
                assertThat(wireLengths.get(i)).isEqualTo(e.length);
            }
        }
    }

    @Test
    void slotsGivenBackAreFilledAgainAroundTheRing() throws Exception {
        assumeTrue(root, "packet sockets and namespaces need root");
        int rounds = 80;
        int perRound = 1000; // 80,000 frames through a ring of some 31,000 slots
        int[] next = {0};
        int[] wrong = {0};
        try (Netns ns = Netns.of(NS)) {
            ns.run(() -> {
                try (PacketRing ring = PacketRing.open("t", "rt1", FILTER, SNAPLEN);
                     PacketSocketSink injector = PacketSocketSink.open("t", "rt0")) {
                    for (int r = 0; r < rounds; r++) {
                        List<byte[]> batch = new ArrayList<>();
                        for (int i = 0; i < perRound; i++) {
                            batch.add(frame(r * perRound + i, 64, (byte) 0x01));
                        }
                        injector.injectAll(batch);
                        long deadline = System.nanoTime() + 2_000_000_000L;
                        while (next[0] < (r + 1) * perRound && System.nanoTime() < deadline) {
                            ring.read(50, Integer.MAX_VALUE, (buffer, offset, length, wireLength) -> {
                                byte[] number = new byte[4];
                                buffer.get(offset + 14, number);
                                if (ByteBuffer.wrap(number).getInt() != next[0]++) {
                                    wrong[0]++;
                                }
                            });
                        }
                    }
                }
            });
        }
        assertThat(next[0]).isEqualTo(rounds * perRound);
        assertThat(wrong[0]).as("frames out of order").isZero();
    }

    @Test
    void aVlanTagTheKernelTookOffIsPutBack() throws Exception {
        assumeTrue(root, "packet sockets and namespaces need root");
        List<byte[]> sent = List.of(tagged(0x8100, 0x2123, 80), tagged(0x88a8, 0x0042, 120), frame(7, 64, (byte) 0x01));
        List<byte[]> caught = new ArrayList<>();
        List<Integer> wireLengths = new ArrayList<>();
        try (Netns ns = Netns.of(NS)) {
            ns.run(() -> {
                try (PacketRing ring = PacketRing.open("t", "rt1", FILTER, SNAPLEN);
                     PacketSocketSink injector = PacketSocketSink.open("t", "rt0")) {
                    injector.injectAll(sent);
                    long deadline = System.nanoTime() + 3_000_000_000L;
                    while (caught.size() < 3 && System.nanoTime() < deadline) {
                        ring.read(50, Integer.MAX_VALUE, (buffer, offset, length, wireLength) -> {
                            byte[] f = new byte[length];
                            buffer.get(offset, f);
                            caught.add(f);
                            wireLengths.add(wireLength);
                        });
                    }
                }
            });
        }
        assertThat(caught).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(caught.get(i)).as("frame %d as sent", i).isEqualTo(sent.get(i));
            assertThat(wireLengths.get(i)).isEqualTo(sent.get(i).length);
        }
    }

    @Test
    void theCaptureHandsFramesOnAndStops() throws Exception {
        assumeTrue(root, "packet sockets and namespaces need root");
        List<byte[]> got = new CopyOnWriteArrayList<>();
        List<byte[]> sent = List.of(frame(1, 64, (byte) 1), frame(2, 1500, (byte) 1), frame(3, 64, (byte) 1));
        try (RingCapture capture = RingCapture.start("t", "rt1", FILTER, SNAPLEN, got::add, () -> false,
                Netns.threadFactory(NS));
             Netns ns = Netns.of(NS)) {
            ns.run(() -> {
                try (PacketSocketSink injector = PacketSocketSink.open("t", "rt0")) {
                    injector.injectAll(sent);
                }
            });
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (got.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(got).hasSize(3);
        assertThat(got.get(0)).isEqualTo(sent.get(0));
        assertThat(got.get(1)).as("the oversized frame, cut at the snapshot length").hasSize(SNAPLEN)
                .isEqualTo(java.util.Arrays.copyOf(sent.get(1), SNAPLEN));
        assertThat(got.get(2)).isEqualTo(sent.get(2));
    }

    @Test
    void whileTheSinkIsBackloggedFramesWaitInTheRingThenAllComeInOrder() throws Exception {
        assumeTrue(root, "packet sockets and namespaces need root");
        List<byte[]> got = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean backlogged = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sent.add(frame(i, 64, (byte) 1));
        }
        try (RingCapture capture = RingCapture.start("t", "rt1", FILTER, SNAPLEN, got::add, backlogged::get,
                Netns.threadFactory(NS));
             Netns ns = Netns.of(NS)) {
            ns.run(() -> {
                try (PacketSocketSink injector = PacketSocketSink.open("t", "rt0")) {
                    injector.injectAll(sent);
                }
            });
            Thread.sleep(200);
            assertThat(got).as("nothing taken from the ring while backlogged").isEmpty();
            backlogged.set(false);
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (got.size() < sent.size() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(got).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(got.get(i)).as("frame %d", i).isEqualTo(sent.get(i));
        }
    }

    @Test
    void aRingThatCannotBeSetUpIsATypedError() {
        assumeTrue(root, "packet sockets and namespaces need root");
        try (Netns ns = Netns.of(NS)) {
            ns.run(() -> {
                assertThatThrownBy(() -> PacketRing.open("m", "nosuch0", FILTER, SNAPLEN))
                        .isInstanceOf(TunnelException.class).hasMessageContaining("no such interface");
                assertThatThrownBy(() -> PacketRing.open("m", "rt1", "ether dst nonsense(", SNAPLEN))
                        .isInstanceOf(TunnelException.class).hasMessageContaining("does not compile");
            });
        }
    }

    private static byte[] frame(int number, int length, byte to) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(new byte[] {0x02, 0, 0, 0, 0, to}).put(new byte[] {0x02, 0x7e, 0x57, 0, 0, 0x09}).putShort((short) 0x88B5)
                .putInt(number);
        while (b.hasRemaining()) {
            b.put((byte) (b.position() * 7 + number));
        }
        return b.array();
    }

    /** A frame for 02:00:00:00:00:01 with one VLAN tag ({@code tpid}, {@code tci}) after its addresses. */
    private static byte[] tagged(int tpid, int tci, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(new byte[] {0x02, 0, 0, 0, 0, 0x01}).put(new byte[] {0x02, 0x7e, 0x57, 0, 0, 0x09})
                .putShort((short) tpid).putShort((short) tci).putShort((short) 0x88B5);
        while (b.hasRemaining()) {
            b.put((byte) b.position());
        }
        return b.array();
    }

    private static void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        run(cmd.toArray(String[]::new));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
        }
    }
}
