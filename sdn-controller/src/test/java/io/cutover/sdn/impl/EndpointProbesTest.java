package io.cutover.sdn.impl;

import io.cutover.sdn.BusyException;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.ProbeAnswer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The probes' bookkeeping on a core thread of its own, with a switch that records what it was told to send. */
class EndpointProbesTest {
    private static final Dpid SW = Dpid.of(0xb);
    private static final int PORT = 4;
    private static final String MAC = "02:00:c6:12:00:64";
    private static final Endpoint VM = new Endpoint(7, "vm1", 1, MAC, List.of("198.18.0.100/24", "2001:db8::64"), SW,
            "vm1");
    private final ExecutorService core = Executors.newSingleThreadExecutor();
    private final List<byte[]> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final EndpointProbes probes = new EndpointProbes(core, (sw, port, frame) -> {
        if (sw.equals(SW) && port == PORT) {
            sent.add(frame);
        }
        return true;
    });

    @AfterEach
    void stop() {
        core.shutdownNow();
    }

    @Test
    void anEndpointThatAnswersAtItsPortIsAnsweredAndOnlyItsOwnAnswerCounts() throws Exception {
        CompletableFuture<ProbeAnswer> answer = onCore(() -> probes.probe(VM, PORT, Duration.ofSeconds(5))).get();
        assertThat(sent).hasSize(1);
        byte[] probe = sent.get(0);
        assertThat(HexFormat.of().formatHex(probe, 0, 14)).as("to the VM's MAC from the probes', ARP")
                .isEqualTo("0200c612006406c7000000010806");
        assertThat(ByteBuffer.wrap(probe).getInt(28)).as("sender address 0.0.0.0: an RFC 5227 probe").isZero();
        assertThat(InetAddress.getByAddress(java.util.Arrays.copyOfRange(probe, 38, 42)).getHostAddress())
                .isEqualTo("198.18.0.100");

        byte[] reply = arpReply(MAC, "198.18.0.100");
        assertThat(onCore(() -> probes.offer(SW, PORT + 1, reply)).get()).as("taken, but from another port").isTrue();
        byte[] otherMac = arpReply("02:00:00:00:00:09", "198.18.0.100");
        assertThat(onCore(() -> probes.offer(SW, PORT, otherMac)).get()).isTrue();
        assertThat(answer).as("neither the old port nor another MAC answers for the VM").isNotDone();
        assertThat(onCore(() -> probes.offer(SW, PORT, new byte[]{1, 2, 3})).get()).as("not for the probes").isFalse();

        onCore(() -> probes.offer(SW, PORT, reply)).get();
        ProbeAnswer heard = answer.get(1, TimeUnit.SECONDS);
        assertThat(heard.answered()).isTrue();
        assertThat(heard.address()).isEqualTo("198.18.0.100");
        assertThat(heard.probes()).isEqualTo(1);
        assertThat(onCore(probes::strayAnswers).get()).isEqualTo(2);
    }

    @Test
    void silenceEndsTheProbeUnansweredAfterItsTimeoutWithAProbeEveryResend() throws Exception {
        long started = System.nanoTime();
        ProbeAnswer heard = onCore(() -> probes.probe(VM, PORT, Duration.ofMillis(700))).get().get(5, TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(heard.answered()).isFalse();
        assertThat(tookMs).isBetween(650L, 3_000L);
        assertThat(heard.probes()).isEqualTo(sent.size()).isBetween(3, 5);
    }

    @Test
    void anIpv6OnlyEndpointGetsAUnicastSolicitationWithAValidChecksum() throws Exception {
        Endpoint v6 = new Endpoint(8, "vm6", 1, MAC, List.of("2001:db8::64"), SW, "vm1");
        CompletableFuture<ProbeAnswer> answer = onCore(() -> probes.probe(v6, PORT, Duration.ofSeconds(5))).get();
        byte[] ns = sent.get(0);
        assertThat(ns[14 + 6]).as("ICMPv6").isEqualTo((byte) 58);
        assertThat(ns[54] & 0xff).as("a neighbour solicitation").isEqualTo(135);
        byte[] source = java.util.Arrays.copyOfRange(ns, 22, 38);
        byte[] destination = java.util.Arrays.copyOfRange(ns, 38, 54);
        assertThat(NeighbourAdvertisement.checksum(source, destination, ns, 54, ns.length - 54))
                .as("the checksum over the message, its own field included, folds to zero").isZero();
        // the advertisement the VM sends back to the probes' MAC
        byte[] na = java.util.Arrays.copyOf(ns, ns.length);
        System.arraycopy(ProbeFrames.PROBE_MAC, 0, na, 0, 6);
        System.arraycopy(HexFormat.ofDelimiter(":").parseHex(MAC), 0, na, 6, 6);
        na[54] = (byte) 136;
        onCore(() -> probes.offer(SW, PORT, na)).get();
        assertThat(answer.get(1, TimeUnit.SECONDS).answered()).isTrue();
    }

    @Test
    void anEndpointWithoutAnAddressIsNotAnsweredAndTooManyOpenProbesAreRefused() throws Exception {
        Endpoint bare = new Endpoint(9, "bare", 1, MAC, List.of(), SW, "vm1");
        ProbeAnswer none = onCore(() -> probes.probe(bare, PORT, Duration.ofSeconds(1))).get().get();
        assertThat(none.answered()).isFalse();
        assertThat(none.address()).isNull();
        assertThat(sent).isEmpty();
        assertThatThrownBy(() -> probes.probe(VM, PORT, Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        onCore(() -> {
            for (int i = 0; i < EndpointProbes.MAX_PENDING; i++) {
                probes.probe(new Endpoint(100 + i, "e" + i, 1, MAC, List.of("198.18.1.1"), SW, "vm1"), PORT,
                        Duration.ofSeconds(2));
            }
            return null;
        }).get();
        assertThatThrownBy(() -> onCore(() -> probes.probe(VM, PORT, Duration.ofSeconds(1))).get())
                .hasCauseInstanceOf(BusyException.class);
    }

    private <T> CompletableFuture<T> onCore(java.util.function.Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, core);
    }

    /** An ARP reply from {@code mac} for {@code address}, to the probes' MAC, as Linux answers an ARP probe. */
    private static byte[] arpReply(String mac, String address) throws Exception {
        byte[] from = HexFormat.ofDelimiter(":").parseHex(mac);
        ByteBuffer frame = ByteBuffer.allocate(42);
        frame.put(ProbeFrames.PROBE_MAC).put(from).putShort((short) 0x0806);
        frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 2);
        frame.put(from).put(InetAddress.getByName(address).getAddress()).put(ProbeFrames.PROBE_MAC).putInt(0);
        return frame.array();
    }
}
