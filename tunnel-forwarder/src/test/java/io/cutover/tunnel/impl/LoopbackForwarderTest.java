package io.cutover.tunnel.impl;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.HoldLimits;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real forwarders on loopback, their Netty sockets and codecs for real; only the capture and the
 * injection are replaced (by direct calls and a recording sink), as they need an interface.
 */
class LoopbackForwarderTest {
    private static final TunnelKey KEY = TunnelKey.of(new byte[32], null);
    private DefaultForwarder source;
    private DefaultForwarder destination;
    private final List<byte[]> delivered = new CopyOnWriteArrayList<>();
    private final List<Long> deliveredAt = new CopyOnWriteArrayList<>();
    private MoveRuntime sourceMove;
    private MoveRuntime destinationMove;

    @BeforeEach
    void start() {
        source = DefaultForwarder.start(options());
        destination = DefaultForwarder.start(options());
    }

    private static ForwarderOptions options() {
        return ForwarderOptions.builder().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
    }

    private void moves(TunnelKey key, HoldLimits hold) throws Exception {
        moves(key, hold, DrainPolicy.DEFAULT);
    }

    private void moves(TunnelKey key, HoldLimits hold, DrainPolicy drain) throws Exception {
        MoveSpec spec = MoveSpec.builder("m1", 4242)
                .drain(drain)
                .role(Role.SOURCE)
                .vmMac("02:00:c6:12:00:64")
                .vmAddresses(List.of(InetAddress.getByAddress(TestFrames.VM_IP)))
                .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), destination.port()))
                .iface("unused")
                .key(key)
                .insecurePlain(key == null)
                .hold(hold)
                .build();
        sourceMove = source.openDetached(spec, MoveState.PLANNED);
        destinationMove = destination.openDetached(
                spec.otherEnd(new InetSocketAddress(InetAddress.getLoopbackAddress(), source.port()), "unused"), MoveState.PLANNED);
        destinationMove.attachSink(new FrameSink() {
            @Override
            public boolean inject(byte[] frame, int length) {
                deliveredAt.add(System.nanoTime());
                delivered.add(Arrays.copyOf(frame, length));
                return true;
            }

            @Override
            public void close() {
            }
        });
    }

    @AfterEach
    void stop() {
        source.close();
        destination.close();
    }

    private static byte[] probe(int n) {
        return TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 17,
                ByteBuffer.allocate(8).putInt(n).putInt(0xC0FFEE).array());
    }

    private static int probeNumber(byte[] frame) {
        return ByteBuffer.wrap(frame, 42, 4).getInt();
    }

    private void awaitDelivered(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (delivered.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void holdsDuringTheBlackoutThenFlushesInOrderBeforeLiveFrames() throws Exception {
        moves(KEY, HoldLimits.DEFAULT);
        sourceMove.caught(probe(-1));
        assertThat(sourceMove.counters.get("ignored")).as("before switchover, nothing is forwarded").isEqualTo(1);
        source.onEvent(CutoverEvent.now("m1", CutoverStage.SWITCHOVER)).toCompletableFuture().join();
        for (int i = 0; i < 500; i++) {
            sourceMove.caught(probe(i));
        }
        sourceMove.sendPending();
        Thread.sleep(100);
        assertThat(delivered).as("held, not sent").isEmpty();
        assertThat(source.status("m1").orElseThrow().state()).isEqualTo(MoveState.HOLDING);
        source.onEvent(CutoverEvent.now("m1", CutoverStage.ACTIVATED)).toCompletableFuture().join();
        for (int i = 500; i < 1000; i++) {
            sourceMove.caught(probe(i));
            if (i % 50 == 0) {
                sourceMove.sendPending();
            }
        }
        sourceMove.sendPending();
        awaitDelivered(1000);
        assertThat(delivered).hasSize(1000);
        List<Integer> order = new ArrayList<>();
        delivered.forEach(f -> order.add(probeNumber(f)));
        assertThat(order).isSorted().doesNotHaveDuplicates().startsWith(0).endsWith(999);
        byte[] first = delivered.get(0);
        assertThat(Arrays.copyOfRange(first, 6, 12)).as("injected with the move's MAC").isEqualTo(sourceMove.spec.injectMac());
        assertThat(Arrays.copyOfRange(first, 14, first.length)).isEqualTo(Arrays.copyOfRange(probe(0), 14, first.length));
        assertThat(source.status("m1").orElseThrow().counter("flushed")).isEqualTo(500);
        assertThat(destination.stats().drops(DropReason.REPLAYED)).isZero();
    }

    @Test
    void heldFramesGoOutAtTheFlushRateAndLiveFramesWaitBehindThem() throws Exception {
        source.close();
        source = DefaultForwarder.start(ForwarderOptions.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).flushRate(5_000).build());
        moves(KEY, HoldLimits.DEFAULT);
        source.onEvent(CutoverEvent.now("m1", CutoverStage.SWITCHOVER)).toCompletableFuture().join();
        for (int i = 0; i < 500; i++) {
            sourceMove.caught(probe(i));
        }
        long activated = System.nanoTime();
        source.onEvent(CutoverEvent.now("m1", CutoverStage.ACTIVATED)).toCompletableFuture().join();
        for (int i = 500; i < 510; i++) {
            sourceMove.caught(probe(i));
        }
        sourceMove.sendPending();
        awaitDelivered(510);
        List<Integer> order = new ArrayList<>();
        delivered.forEach(f -> order.add(probeNumber(f)));
        assertThat(order).as("the held frames first, then the live ones, each in arrival order")
                .isSorted().doesNotHaveDuplicates().hasSize(510);
        // 500 held frames at 5,000 a second: the last is due 100 ms after activation. Measured from activation, not
        // from the first delivery, so a receiver that is late for the first frame (a loaded machine) cannot shorten it
        long spanMillis = (deliveredAt.get(499) - activated) / 1_000_000;
        assertThat(spanMillis).as("ms from activation to the last held frame delivered").isBetween(95L, 2_000L);
        assertThat(source.status("m1").orElseThrow().counter("flushed")).isEqualTo(500);
        assertThat(source.status("m1").orElseThrow().counter("queuedBehindFlush")).isEqualTo(10);
    }

    @Test
    void sealedPacketsFromConcurrentCallersNumberOneSessionFromOneWithoutGapOrRepeat() throws Exception {
        try (DatagramSocket wire = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            wire.setReceiveBufferSize(4 * 1024 * 1024);
            wire.setSoTimeout(5_000);
            MoveSpec spec = MoveSpec.builder("m1", 4242).role(Role.SOURCE).vmMac("02:00:c6:12:00:64")
                    .vmAddresses(List.of(InetAddress.getByAddress(TestFrames.VM_IP)))
                    .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), wire.getLocalPort()))
                    .iface("unused").key(KEY).build();
            sourceMove = source.openDetached(spec, MoveState.PLANNED);
            source.onEvent(CutoverEvent.now("m1", CutoverStage.SWITCHOVER)).toCompletableFuture().join();
            source.onEvent(CutoverEvent.now("m1", CutoverStage.ACTIVATED)).toCompletableFuture().join();
            int perThread = 1_000;
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int base = t * perThread;
                Thread caller = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        sourceMove.caught(probe(base + i));
                        if (i % 100 == 99) {
                            sleepQuietly(2);
                        }
                    }
                });
                caller.start();
                callers.add(caller);
            }
            for (Thread caller : callers) {
                caller.join();
            }
            sourceMove.sendPending();

            byte[] datagram = new byte[2048];
            byte[] salt = null;
            PacketSealer opener = null;
            List<Integer> probes = new ArrayList<>();
            for (long expected = 1; expected <= 2L * perThread; expected++) {
                DatagramPacket packet = new DatagramPacket(datagram, datagram.length);
                wire.receive(packet);
                assertThat(VxlanHeader.sealed(datagram, 0)).isTrue();
                if (salt == null) {
                    salt = VxlanHeader.readSalt(datagram, 0);
                    opener = PacketSealer.forSalt(KEY, 4242, PacketSealer.TOWARD_DESTINATION, salt);
                }
                assertThat(VxlanHeader.readSalt(datagram, 0)).as("one session").isEqualTo(salt);
                assertThat(VxlanHeader.readSequence(datagram, 0)).as("sequence numbers in order, from 1").isEqualTo(expected);
                byte[] frame = new byte[2048];
                int length = opener.open(datagram, packet.getLength(), frame);
                probes.add(probeNumber(Arrays.copyOf(frame, length)));
            }
            assertThat(probes).as("every frame sent once").doesNotHaveDuplicates().hasSize(2 * perThread);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void fullHoldBufferDropsTheOldestAndCountsThem() throws Exception {
        moves(null, new HoldLimits(100, 1_000_000));
        source.stage("m1", CutoverStage.SWITCHOVER);
        for (int i = 0; i < 150; i++) {
            sourceMove.caught(probe(i));
        }
        source.stage("m1", CutoverStage.ACTIVATED);
        awaitDelivered(100);
        Thread.sleep(50);
        assertThat(delivered).hasSize(100);
        assertThat(probeNumber(delivered.get(0))).isEqualTo(50);
        assertThat(source.status("m1").orElseThrow().drops(DropReason.HOLD_OVERFLOW)).isEqualTo(50);
    }

    @Test
    void failedMigrationDiscardsWhatWasHeld() throws Exception {
        moves(KEY, HoldLimits.DEFAULT);
        source.stage("m1", CutoverStage.SWITCHOVER);
        sourceMove.caught(probe(1));
        source.stage("m1", CutoverStage.FAILED);
        Thread.sleep(100);
        assertThat(delivered).isEmpty();
        assertThat(source.status("m1").orElseThrow().state()).isEqualTo(MoveState.CLOSED);
    }

    @Test
    void withoutADnsRuleAnIdleTunnelEndsOnIdleAndSaysSo() throws Exception {
        moves(null, HoldLimits.DEFAULT, drain(Duration.ofMillis(300), Duration.ofSeconds(60), null));
        source.stage("m1", CutoverStage.ACTIVATED);
        destination.stage("m1", CutoverStage.ACTIVATED);
        source.stage("m1", CutoverStage.DRAINING);
        sourceMove.caught(probe(1));
        awaitDelivered(1);
        awaitClosed(Duration.ofSeconds(10));
        assertThat(source.status("m1").orElseThrow().state()).as("idle for 300 ms").isEqualTo(MoveState.CLOSED);
        assertThat(source.status("m1").orElseThrow().drainEndedBy()).isEqualTo(DrainPolicy.Rule.IDLE);
        assertThat(MoveJson.write(source.status("m1").orElseThrow()).path("drainEndedBy").asText()).isEqualTo("idle");
        sourceMove.caught(probe(2));
        Thread.sleep(200);
        assertThat(delivered).as("nothing is forwarded after the tunnel ended").hasSize(1);
    }

    @Test
    void aBusyTunnelOutlivesItsDnsRuleAndEndsOnlyOnceIdle() throws Exception {
        moves(null, HoldLimits.DEFAULT, drain(Duration.ofMillis(300), Duration.ofSeconds(60), null));
        source.stage("m1", CutoverStage.ACTIVATED);
        destination.stage("m1", CutoverStage.ACTIVATED);
        source.drain("m1", DrainPolicy.DnsChange.switched(Duration.ofMillis(200), Instant.now()));
        long busyUntil = System.nanoTime() + 1_000_000_000L;
        int sent = 0;
        while (System.nanoTime() < busyUntil) {
            sourceMove.caught(probe(sent++));
            Thread.sleep(50);
        }
        assertThat(source.status("m1").orElseThrow().state()).as("busy 800 ms past the DNS expiry")
                .isEqualTo(MoveState.DRAINING);
        long lastTraffic = System.nanoTime();
        awaitClosed(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - lastTraffic)).as("ended once idle for 300 ms")
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(source.status("m1").orElseThrow().drainEndedBy()).isEqualTo(DrainPolicy.Rule.DNS_AND_IDLE);
        awaitDelivered(sent);
        assertThat(delivered).as("every frame of the busy flow").hasSize(sent);
    }

    @Test
    void anIdleTunnelForwardsUntilItsDnsRuleHolds() throws Exception {
        moves(null, HoldLimits.DEFAULT, drain(Duration.ofMillis(200), Duration.ofSeconds(60), null));
        source.stage("m1", CutoverStage.ACTIVATED);
        destination.stage("m1", CutoverStage.ACTIVATED);
        Instant lowered = Instant.now();
        long start = System.nanoTime();
        // the original TTL from the lowering (1.2 s) outlasts the lowered one from the switch (100 ms)
        DrainPolicy.DnsChange dns = new DrainPolicy.DnsChange(Duration.ofMillis(1200), lowered, Duration.ofMillis(100),
                lowered.plusMillis(50));
        destination.drain("m1", dns);
        source.drain("m1", dns);
        Thread.sleep(800);
        assertThat(source.status("m1").orElseThrow().state()).as("idle for 800 ms, resolvers may still hold the old address")
                .isEqualTo(MoveState.DRAINING);
        sourceMove.caught(probe(1));
        awaitDelivered(1);
        assertThat(delivered).as("still forwarded").hasSize(1);
        awaitClosed(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not before the original TTL from the lowering")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1200));
        assertThat(source.status("m1").orElseThrow().drainEndedBy()).isEqualTo(DrainPolicy.Rule.DNS_AND_IDLE);
    }

    @Test
    void aDnsTtlOfTheMoveCountsFromTheDrainingEventAndIdlenessBeforeItEndsNothing() throws Exception {
        moves(null, HoldLimits.DEFAULT, drain(Duration.ofMillis(200), Duration.ofSeconds(60), Duration.ofMillis(400)));
        source.stage("m1", CutoverStage.ACTIVATED);
        Thread.sleep(600);
        assertThat(source.status("m1").orElseThrow().state()).as("idle, but no DNS switch yet").isEqualTo(MoveState.FORWARDING);
        long draining = System.nanoTime();
        source.stage("m1", CutoverStage.DRAINING);
        awaitClosed(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - draining)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(source.status("m1").orElseThrow().drainEndedBy()).isEqualTo(DrainPolicy.Rule.DNS_AND_IDLE);
    }

    @Test
    void theHardMaximumEndsABusyTunnelAndOneWhoseDnsSwitchIsPending() throws Exception {
        moves(null, HoldLimits.DEFAULT, drain(Duration.ofMillis(100), Duration.ofMillis(800), null));
        source.stage("m1", CutoverStage.ACTIVATED);
        long activated = System.nanoTime();
        // lowered, but the switch waits in the queue: when resolvers let go of the old address is not known
        source.drain("m1", new DrainPolicy.DnsChange(Duration.ofMillis(100), Instant.now(), null, null));
        Thread.sleep(500);
        assertThat(source.status("m1").orElseThrow().state()).as("idle, DNS expiry unknown").isEqualTo(MoveState.DRAINING);
        awaitClosed(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - activated)).isGreaterThanOrEqualTo(Duration.ofMillis(800));
        assertThat(source.status("m1").orElseThrow().drainEndedBy()).isEqualTo(DrainPolicy.Rule.HARD_MAXIMUM);
    }

    @Test
    void anArmedDestinationWaitsForTheSourcesFirstFrameBeforeItsDrainCounts() throws Exception {
        // the idle period well inside the hard maximum: drains are checked every 200 ms, and a late check on a busy
        // host would find both due
        moves(null, HoldLimits.DEFAULT, drain(Duration.ofMillis(100), Duration.ofMillis(700), null));
        destination.stage("m1", CutoverStage.ACTIVATED);
        source.stage("m1", CutoverStage.SWITCHOVER);
        sourceMove.caught(probe(1));
        Thread.sleep(800);
        assertThat(destination.status("m1").orElseThrow().state())
                .as("armed for 800 ms, past its idle period and hard maximum: the migration may still run")
                .isEqualTo(MoveState.FORWARDING);
        source.stage("m1", CutoverStage.ACTIVATED);
        awaitDelivered(1);
        assertThat(delivered).as("the held frame, flushed").hasSize(1);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (destination.status("m1").orElseThrow().state() != MoveState.CLOSED && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(destination.status("m1").orElseThrow().drainEndedBy()).as("counted from the flush")
                .isEqualTo(DrainPolicy.Rule.IDLE);
    }

    private static DrainPolicy drain(Duration idle, Duration hardMax, Duration dnsTtl) {
        return new DrainPolicy(idle, hardMax, dnsTtl);
    }

    private void awaitClosed(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (source.status("m1").orElseThrow().state() != MoveState.CLOSED && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(source.status("m1").orElseThrow().state()).isEqualTo(MoveState.CLOSED);
    }

    /** The shared malformed-input fixture: every variant is dropped and counted, none is delivered, nothing throws. */
    @Test
    void malformedForgedReplayedAndStrangePacketsAreDroppedAndCounted() throws Exception {
        moves(KEY, HoldLimits.DEFAULT);
        byte[] frame = probe(7);
        byte[] valid = new byte[PacketSealer.sealedLength(frame.length)];
        PacketSealer.fresh(KEY, 4242, PacketSealer.TOWARD_DESTINATION).seal(1000, frame, 0, frame.length, valid);
        List<byte[]> fromPeer = new ArrayList<>();
        for (int len = 0; len < valid.length; len++) {
            fromPeer.add(Arrays.copyOf(valid, len));
        }
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[random.nextInt(1500)];
            random.nextBytes(junk);
            fromPeer.add(junk);
        }
        for (int i = 1; i < valid.length; i += 7) {
            byte[] flipped = valid.clone();
            flipped[i] ^= 0x01;
            fromPeer.add(flipped);
        }
        byte[] wrongVni = valid.clone();
        wrongVni[6] ^= 0x01;
        fromPeer.add(wrongVni);
        byte[] plain = new byte[8 + frame.length];
        VxlanHeader.write(plain, 0, 4242, false);
        System.arraycopy(frame, 0, plain, 8, frame.length);
        fromPeer.add(plain);
        byte[] otherKey = new byte[valid.length];
        PacketSealer.fresh(TunnelKey.of(new byte[16], null), 4242, PacketSealer.TOWARD_DESTINATION).seal(2000, frame, 0, frame.length, otherKey);
        fromPeer.add(otherKey);
        byte[] toOtherVm = TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, new byte[] {(byte) 198, 18, 0, 1}, 17, new byte[8]);
        byte[] sealedOther = new byte[PacketSealer.sealedLength(toOtherVm.length)];
        PacketSealer.fresh(KEY, 4242, PacketSealer.TOWARD_DESTINATION).seal(3000, toOtherVm, 0, toOtherVm.length, sealedOther);
        fromPeer.add(sealedOther);

        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), destination.port());
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0))) {
            peer.send(new DatagramPacket(valid, valid.length, target));
            awaitDelivered(1);
            for (byte[] bad : fromPeer) {
                peer.send(new DatagramPacket(bad, bad.length, target));
            }
            for (int i = 0; i < 3; i++) {
                peer.send(new DatagramPacket(valid, valid.length, target));
                stranger.send(new DatagramPacket(valid, valid.length, target));
            }
            int expectedDrops = fromPeer.size() + 6;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (totalDrops() < expectedDrops && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(100);
            assertThat(totalDrops()).isEqualTo(expectedDrops);
        }
        assertThat(delivered).hasSize(1);
        var stats = destination.stats();
        assertThat(stats.drops(DropReason.UNKNOWN_PEER)).isEqualTo(3);
        assertThat(stats.drops(DropReason.REPLAYED)).isGreaterThanOrEqualTo(3);
        assertThat(stats.drops(DropReason.BAD_TAG)).isGreaterThan(1);
        assertThat(stats.drops(DropReason.TRUNCATED)).isGreaterThan(1);
        assertThat(stats.drops(DropReason.WRONG_VNI)).isGreaterThanOrEqualTo(1);
        assertThat(stats.drops(DropReason.MALFORMED)).isGreaterThanOrEqualTo(1);
        assertThat(stats.drops(DropReason.NOT_REGISTERED)).isEqualTo(1);
        assertThat(destination.status("m1").orElseThrow().counter("injected")).isEqualTo(1);
    }

    @Test
    void theTunnelSocketSetsDfAndNeverFragments() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.channel.epoll.Epoll.isAvailable(), "epoll transport");
        assertThat(source.dontFragment()).as("IP_MTU_DISCOVER is IP_PMTUDISC_DO on the socket").isTrue();
        assertThat(SocketOptions.pathMtu(new InetSocketAddress(InetAddress.getLoopbackAddress(), destination.port())))
                .as("the kernel's path MTU toward a peer can be read").isPresent();
    }

    @Test
    void l3FrameTooBigForThePathIsDroppedCountedAndAnsweredWithFragmentationNeeded() throws Exception {
        MoveSpec spec = MoveSpec.builder("big", 77)
                .role(Role.SOURCE)
                .mode(io.cutover.tunnel.TunnelMode.L3)
                .vmMac("02:00:c6:12:00:64")
                .vmAddresses(List.of(InetAddress.getByAddress(TestFrames.VM_IP)))
                .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), destination.port()))
                .iface("unused")
                .key(KEY)
                .build();
        MoveRuntime move = source.openDetached(spec, MoveState.FORWARDING);
        List<byte[]> replies = new CopyOnWriteArrayList<>();
        move.attachReplySink(TestFrames.recording(replies));
        int fits = move.maxFrame();
        assertThat(fits).as("1500 - IPv4/UDP 28 - VXLAN 8 - salt 16 - sequence 8 - tag 16").isEqualTo(1424);

        move.caught(TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 17, new byte[fits - 42]));
        move.caught(TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 17, new byte[fits - 41]));

        assertThat(move.counters.get("sent")).as("the frame that fits is sent").isEqualTo(1);
        assertThat(move.counters.drops(DropReason.TOO_BIG)).as("the one a byte larger is not").isEqualTo(1);
        assertThat(replies).hasSize(1);
        byte[] icmp = replies.get(0);
        assertThat(icmp[34]).isEqualTo((byte) 3);
        assertThat(icmp[35]).isEqualTo((byte) 4);
        assertThat(ByteBuffer.wrap(icmp).getShort(40) & 0xFFFF).as("next-hop MTU: the largest IP packet that fits").isEqualTo(fits - 14);
        assertThat(Arrays.copyOfRange(icmp, 30, 34)).isEqualTo(TestFrames.CLIENT_IP);
        assertThat(move.counters.get("tooBigAnswered")).isEqualTo(1);

        move.learnPathMtu(1400);
        assertThat(move.maxFrame()).as("a smaller path MTU the kernel learned wins").isEqualTo(1324);
        move.learnPathMtu(9000);
        assertThat(move.maxFrame()).as("never more than the configured one").isEqualTo(1424);
    }

    @Test
    void l2FrameTooBigIsDroppedAndCountedWithoutAnswer() throws Exception {
        moves(null, HoldLimits.DEFAULT);
        List<byte[]> replies = new CopyOnWriteArrayList<>();
        sourceMove.attachReplySink(TestFrames.recording(replies));
        source.stage("m1", CutoverStage.ACTIVATED);
        sourceMove.caught(TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 17, new byte[1472]));
        assertThat(sourceMove.counters.drops(DropReason.TOO_BIG)).isEqualTo(1);
        assertThat(sourceMove.counters.get("sent")).isZero();
        assertThat(replies).as("ICMP answers are for L3 mode").isEmpty();
    }

    @Test
    void datagramsTheKernelDropsForAFullSocketBufferAreCounted() throws Exception {
        java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
        destination.tunnelForTests().execute(() -> {
            try {
                blocked.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), destination.port());
        byte[] junk = new byte[1000];
        try (DatagramSocket sender = new DatagramSocket()) {
            for (int i = 0; i < 20_000; i++) {
                sender.send(new DatagramPacket(junk, junk.length, target));
            }
        } finally {
            blocked.countDown();
        }
        long counted = destination.stats().drops(DropReason.SOCKET_OVERFLOW);
        assertThat(counted).as("20,000 datagrams into a socket whose reader is stuck overflow its receive buffer")
                .isGreaterThan(0);
        assertThat(destination.nativeTransport()).as("the socket's own counter (SO_MEMINFO) is read").isTrue();
        assertThat(counted).as("the same count as /proc/net/udp's drops column")
                .isEqualTo(SocketDrops.of(destination.port()));
    }

    @Test
    void reverseTunnelCarriesTheVmsRepliesBackToBeEmittedTowardTheHopThePeersPacketsCameFrom() throws Exception {
        byte[] routerMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
        MoveSpec spec = MoveSpec.builder("rev", 88)
                .role(Role.SOURCE)
                .mode(io.cutover.tunnel.TunnelMode.L3)
                .reverse(true)
                .vmMac("02:00:c6:12:00:64")
                .vmAddresses(List.of(InetAddress.getByAddress(TestFrames.VM_IP)))
                .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), destination.port()))
                .iface("unused")
                .key(KEY)
                .build();
        MoveRuntime atSource = source.openDetached(spec, MoveState.FORWARDING);
        MoveRuntime atDestination = destination.openDetached(
                spec.otherEnd(new InetSocketAddress(InetAddress.getLoopbackAddress(), source.port()), "unused"), MoveState.FORWARDING);
        List<byte[]> emitted = new CopyOnWriteArrayList<>();
        atSource.attachReplySink(TestFrames.recording(emitted));
        atDestination.attachSink(TestFrames.recording(delivered));

        byte[] request = TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 6, new byte[8]);
        System.arraycopy(routerMac, 0, request, 6, 6);
        atSource.caught(request);
        awaitDelivered(1);
        byte[] reply = TestFrames.ipv4(routerMac, TestFrames.VM_IP, TestFrames.CLIENT_IP, 6, new byte[8]);
        System.arraycopy(TestFrames.VM_MAC, 0, reply, 6, 6);
        atDestination.caughtReply(reply);
        byte[] spoofed = TestFrames.ipv4(routerMac, TestFrames.CLIENT_IP, TestFrames.CLIENT_IP, 6, new byte[8]);
        atDestination.caughtReply(spoofed);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (emitted.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        assertThat(emitted).as("the reply, emitted at the old site").hasSize(1);
        byte[] out = emitted.get(0);
        assertThat(Arrays.copyOfRange(out, 0, 6)).as("toward the router the client's packets came from").isEqualTo(routerMac);
        assertThat(Arrays.copyOfRange(out, 6, 12)).as("from the VM's MAC").isEqualTo(TestFrames.VM_MAC);
        assertThat(Arrays.copyOfRange(out, 12, out.length)).isEqualTo(Arrays.copyOfRange(reply, 12, reply.length));
        assertThat(atDestination.counters.drops(DropReason.NOT_REGISTERED)).as("only the VM's own replies go back").isEqualTo(1);
        assertThat(atSource.counters.get("injected")).isEqualTo(1);
        assertThat(source.stats().drops(DropReason.REPLAYED) + destination.stats().drops(DropReason.REPLAYED)).isZero();
    }

    @Test
    void reverseTunnellingIsForL3MovesThatKeepTheOldAddress() throws Exception {
        MoveSpec.Builder b = MoveSpec.builder("x", 1).vmMac("02:00:c6:12:00:64")
                .vmAddresses(List.of(InetAddress.getByAddress(TestFrames.VM_IP)))
                .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1)).iface("eth0").reverse(true).insecurePlain(true);
        org.assertj.core.api.Assertions.assertThatThrownBy(b::build).hasMessageContaining("L3");
        b.mode(io.cutover.tunnel.TunnelMode.L3).newAddress(InetAddress.getByAddress(TestFrames.CLIENT_IP));
        org.assertj.core.api.Assertions.assertThatThrownBy(b::build).hasMessageContaining("old address");
    }

    private long totalDrops() {
        var stats = destination.stats();
        return Arrays.stream(DropReason.values()).mapToLong(stats::drops).sum();
    }
}
