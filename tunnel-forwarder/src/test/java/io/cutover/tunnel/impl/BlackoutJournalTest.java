package io.cutover.tunnel.impl;

import io.cutover.api.CutoverStage;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stage changes of the blackout (the hold, the flush) are journaled off their answer's path, and still reach the
 * journal: a daemon restarted a moment later finds the move as the agent left it.
 */
class BlackoutJournalTest {
    @TempDir
    Path dir;

    @Test
    void theHoldAndTheFlushReachTheJournalSoonAfterTheyAnswered() throws Exception {
        DefaultForwarder forwarder = DefaultForwarder.startDetached(ForwarderOptions.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).stateDir(dir).build());
        try {
            forwarder.openDetached(MoveSpec.builder("m", 4343).role(Role.DESTINATION).vmMac("02:00:c6:12:00:64")
                    .vmAddresses(List.of(InetAddress.getByAddress(TestFrames.VM_IP)))
                    .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)).iface("unused").key(io.cutover.tunnel.TunnelKey.of(new byte[32], null)).build(),
                    MoveState.PLANNED);
            forwarder.stage("m", CutoverStage.SWITCHOVER);
            assertThat(journaledSoon(MoveState.HOLDING)).as("the hold, journaled after its answer").isTrue();
            forwarder.stage("m", CutoverStage.ACTIVATED);
            assertThat(journaledSoon(MoveState.FORWARDING)).as("the flush, journaled after its answer").isTrue();
            forwarder.stage("m", CutoverStage.DRAINING);
            assertThat(new StateJournal(dir).read().get(0).state()).as("the other stages, before their answer")
                    .isEqualTo(MoveState.DRAINING);
        } finally {
            forwarder.close();
        }
    }

    private boolean journaledSoon(MoveState state) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<StateJournal.Entry> entries = new StateJournal(dir).read();
            if (!entries.isEmpty() && entries.get(0).state() == state) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }
}
