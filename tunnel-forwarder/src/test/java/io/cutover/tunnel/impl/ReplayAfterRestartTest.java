package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A receiver's journal as a {@code kill -9} leaves it (copied while the receiver runs, before any periodic write),
 * a receiver restarted from it, and the packets it had accepted sent again: all refused.
 */
class ReplayAfterRestartTest {
    @TempDir
    Path dir;

    @Test
    void packetsAcceptedJustBeforeAKillAreRefusedAfterTheRestartAndNewOnesAccepted() throws Exception {
        Path keyFile = dir.resolve("m.key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(new byte[32]));
        TunnelKey key = TunnelKey.fromFile(keyFile);
        Path before = Files.createDirectories(dir.resolve("before"));
        Path after = Files.createDirectories(dir.resolve("after"));
        List<byte[]> sealed = new ArrayList<>();
        PacketSealer sealer = PacketSealer.fresh(key, 4343, PacketSealer.TOWARD_DESTINATION);
        for (int seq = 1; seq <= 50; seq++) {
            sealed.add(seal(sealer, seq));
        }

        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            DefaultForwarder receiver = DefaultForwarder.startDetached(options(before));
            List<byte[]> delivered = new CopyOnWriteArrayList<>();
            try {
                MoveRuntime move = receiver.openDetached(spec(key), MoveState.FORWARDING);
                move.attachSink(TestFrames.recording(delivered));
                send(peer, receiver.port(), sealed);
                await(() -> delivered.size() == 50);
                assertThat(delivered).hasSize(50);
                // the journal as a kill -9 would leave it now: the last whole write and the changes logged since
                Files.copy(before.resolve(StateJournal.FILE), after.resolve(StateJournal.FILE));
                Files.copy(before.resolve(StateJournal.LOG), after.resolve(StateJournal.LOG));
                long journaledHighest = new StateJournal(after).read().get(0).rxHighest();
                assertThat(journaledHighest).as("the periodic write has not caught up: the window's highest alone would "
                        + "let the last packets in again").isLessThan(50);
            } finally {
                receiver.close();
            }

            DefaultForwarder restarted = DefaultForwarder.startDetached(options(after));
            try {
                MoveRuntime move = restarted.runtimeForTests("m");
                List<byte[]> again = new CopyOnWriteArrayList<>();
                move.attachSink(TestFrames.recording(again));
                send(peer, restarted.port(), sealed);
                await(() -> move.counters.drops(DropReason.REPLAYED) == 50);
                assertThat(move.counters.drops(DropReason.REPLAYED)).as("every replay refused").isEqualTo(50);
                assertThat(again).isEmpty();

                send(peer, restarted.port(), List.of(seal(sealer, 1L << 25)));
                await(() -> again.size() == 1);
                assertThat(again).as("a sequence number above the journaled ceiling is accepted").hasSize(1);

                PacketSealer restartedSender = PacketSealer.fresh(key, 4343, PacketSealer.TOWARD_DESTINATION);
                send(peer, restarted.port(), List.of(seal(restartedSender, 1)));
                await(() -> again.size() == 2);
                assertThat(again).as("a restarted sender's new session starts again at 1").hasSize(2);
                send(peer, restarted.port(), List.of(seal(sealer, (1L << 25) + 1)));
                await(() -> move.counters.drops(DropReason.REPLAYED) == 51);
                assertThat(move.counters.drops(DropReason.REPLAYED)).as("the ended session's packets are refused")
                        .isEqualTo(51);
                assertThat(again).hasSize(2);
            } finally {
                restarted.close();
            }
        }
    }

    private static ForwarderOptions options(Path stateDir) {
        return ForwarderOptions.builder().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).stateDir(stateDir).build();
    }

    private static MoveSpec spec(TunnelKey key) throws Exception {
        return MoveSpec.builder("m", 4343)
                .role(Role.DESTINATION)
                .vmMac("02:00:c6:12:00:64")
                .vmAddresses(List.of(InetAddress.getByAddress(TestFrames.VM_IP)))
                .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9))
                .iface("unused")
                .key(key)
                .build();
    }

    private static byte[] seal(PacketSealer sealer, long seq) {
        byte[] frame = TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 17, new byte[16]);
        byte[] out = new byte[PacketSealer.sealedLength(frame.length)];
        sealer.seal(seq, frame, 0, frame.length, out);
        return out;
    }

    private static void send(DatagramSocket peer, int port, List<byte[]> packets) throws Exception {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        for (byte[] p : packets) {
            peer.send(new DatagramPacket(p, p.length, target));
        }
    }

    private static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
