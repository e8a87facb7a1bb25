package io.cutover.tunnel.impl;

import io.cutover.api.CutoverStage;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.HoldLimits;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A SOURCE whose switch mirrors the VM's traffic to it before the switchover: the hold takes, besides what comes
 * after it, what was caught in its lookback (the frames the stopped VM never read), and nothing older. Two real
 * forwarders on loopback; the capture and the injection replaced by direct calls and a recording sink.
 */
class HoldLookbackTest {
    private DefaultForwarder source;
    private DefaultForwarder destination;
    private MoveRuntime sourceMove;
    private final List<Integer> delivered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        source = DefaultForwarder.start(options());
        destination = DefaultForwarder.start(options());
        MoveSpec spec = MoveSpec.builder("m1", 4343).role(Role.SOURCE).vmMac("02:00:c6:12:00:64")
                .vmAddresses(List.of(InetAddress.getByAddress(TestFrames.VM_IP)))
                .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), destination.port()))
                .iface("unused").key(TunnelKey.of(new byte[32], null)).hold(HoldLimits.DEFAULT).build();
        sourceMove = source.openDetached(spec, MoveState.PLANNED);
        MoveRuntime destinationMove = destination.openDetached(
                spec.otherEnd(new InetSocketAddress(InetAddress.getLoopbackAddress(), source.port()), "unused"),
                MoveState.PLANNED);
        destinationMove.attachSink(new FrameSink() {
            @Override
            public boolean inject(byte[] frame, int length) {
                delivered.add(ByteBuffer.wrap(Arrays.copyOf(frame, length), 42, 4).getInt());
                return true;
            }

            @Override
            public void close() {
            }
        });
        destination.stage("m1", CutoverStage.ACTIVATED);
    }

    @AfterEach
    void stop() {
        source.close();
        destination.close();
    }

    private static ForwarderOptions options() {
        return ForwarderOptions.builder().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
    }

    private static byte[] probe(int n) {
        return TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 17,
                ByteBuffer.allocate(8).putInt(n).putInt(0xC0FFEE).array());
    }

    @Test
    void theHoldTakesWhatWasCaughtInItsLookbackAndNothingOlder() throws Exception {
        for (int i = 0; i < 10; i++) {
            sourceMove.caught(probe(i));
        }
        Thread.sleep(300);
        for (int i = 10; i < 15; i++) {
            sourceMove.caught(probe(i));
        }
        source.hold("m1", Instant.now().minus(Duration.ofMillis(150)));
        for (int i = 15; i < 20; i++) {
            sourceMove.caught(probe(i));
        }
        assertThat(source.status("m1").orElseThrow().state()).isEqualTo(MoveState.HOLDING);
        source.stage("m1", CutoverStage.ACTIVATED);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (delivered.size() < 10 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(50);
        assertThat(delivered).as("the lookback's frames, then the hold's, in order; none from before the lookback")
                .containsExactly(10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
        assertThat(source.status("m1").orElseThrow().counter("heldFromBefore")).isEqualTo(5);
        assertThat(source.status("m1").orElseThrow().counter("held")).isEqualTo(10);
    }

    @Test
    void aHoldWithoutLookbackTakesNothingFromBefore() throws Exception {
        assertThat(deliveredAround(() -> source.stage("m1", CutoverStage.SWITCHOVER))).containsExactly(2);
    }

    @Test
    void aHoldFromAnInstantAheadTakesNothingFromBefore() throws Exception {
        assertThat(deliveredAround(() -> source.hold("m1", Instant.now().plusSeconds(60)))).containsExactly(2);
    }

    @Test
    void aHoldFromTheFarPastTakesWhatTheSourceKeeps() throws Exception {
        assertThat(deliveredAround(() -> source.hold("m1", Instant.MIN))).containsExactly(1, 2);
    }

    @Test
    void aHoldFromTheFarFutureTakesNothingFromBefore() throws Exception {
        assertThat(deliveredAround(() -> source.hold("m1", Instant.MAX))).containsExactly(2);
    }

    /** Probe 1 caught, then {@code hold}, then probe 2, then the flush: what the destination got. */
    private List<Integer> deliveredAround(Runnable hold) throws Exception {
        sourceMove.caught(probe(1));
        hold.run();
        sourceMove.caught(probe(2));
        source.stage("m1", CutoverStage.ACTIVATED);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (delivered.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(50);
        return delivered;
    }

    @Test
    void aHoldOfAnUnknownMoveIsRefused() {
        assertThatThrownBy(() -> source.hold("nope", Instant.now())).isInstanceOf(IllegalArgumentException.class);
        assertThat(source.status("m1").orElseThrow().state()).isEqualTo(MoveState.PLANNED);
    }
}
