package io.cutover.sdn.impl;

import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.TestSwitch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A commit reaches the switches level by level, nearest its destination first, also when other changes converge them
 * meanwhile, and answers only once every switch confirmed the flows it needs, also those another change sent for it:
 * three switches in a line (s1 - s2 - s3, over real TCP), VMs moving from s3 to s1.
 */
class CommitConfirmationTest {
    private static final Dpid S1 = Dpid.of(1);
    private static final Dpid S2 = Dpid.of(2);
    private static final Dpid S3 = Dpid.of(3);
    private static final List<Link> LINE = List.of(new Link(S1, "right", S2, "left"), new Link(S2, "right", S3, "left"));

    ControllerCore core;
    TestSwitch s1;
    TestSwitch s2;
    TestSwitch s3;

    @BeforeEach
    void start() throws Exception {
        core = new ControllerCore(ControllerOptions.builder().bindAddress("127.0.0.1").port(0).bundles(false)
                .build());
        s1 = TestSwitch.connect(core.address(), 1, "br-1", Map.of("right", 2, "vm1", 3, "vm2", 4));
        s2 = TestSwitch.connect(core.address(), 2, "br-2", Map.of("left", 1, "right", 2));
        s3 = TestSwitch.connect(core.address(), 3, "br-3", Map.of("left", 1, "vm1", 3, "vm2", 4));
        core.awaitSwitches(List.of(S1, S2, S3), Duration.ofSeconds(10)).join();
        core.setLinks(LINE).get(10, TimeUnit.SECONDS);
        core.putEndpoint(new Endpoint(5, "vm1", 1, "02:00:c6:12:00:64", List.of(), S3, "vm1"))
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        s1.close();
        s2.close();
        s3.close();
        core.close();
    }

    @Test
    void anotherChangeSendsACommitsFartherSwitchItsFlowsOnlyInItsTurn() throws Exception {
        Move move = core.prepare("vm1", S1, "vm1", null).get(10, TimeUnit.SECONDS);
        s2.holdBarriers();
        s3.holdBarriers();
        int s3Before = s3.flowMods().size();

        CompletableFuture<Move> commit = core.commit(move.id());
        await(() -> s2.heldBarriers() == 1, "the commit's flow-mods for s2 sent, once s1 confirmed its own");

        // another change, meanwhile, converges every switch: s3's changed flows, the commit's among them, wait for
        // s2 to confirm (sent now, s3 would forward the VM's frames to s2 while s2 may still send them back)
        CompletableFuture<Void> other = core.setLinks(LINE);
        Thread.sleep(300);
        assertThat(s3.flowMods()).as("s3's flows while s2 has not confirmed its own").hasSize(s3Before);
        assertThat(other).as("the other change, waiting for s3's turn").isNotDone();

        s2.releaseBarriers();
        await(() -> s3.heldBarriers() >= 1, "s3's flows sent in its turn");
        assertThatThrownBy(() -> commit.get(1, TimeUnit.SECONDS))
                .as("a commit whose flows s3 has not confirmed").isInstanceOf(TimeoutException.class);
        s3.releaseBarriers();
        assertThat(commit.get(10, TimeUnit.SECONDS).id()).isEqualTo(move.id());
        other.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCommitWaitsForTheSwitchToConfirmTheFlowsAnotherCommitSentFirst() throws Exception {
        core.putEndpoint(new Endpoint(6, "vm2", 1, "02:00:c6:12:00:65", List.of(), S3, "vm2"))
                .get(10, TimeUnit.SECONDS);
        Move first = core.prepare("vm1", S1, "vm1", null).get(10, TimeUnit.SECONDS);
        Move second = core.prepare("vm2", S1, "vm2", null).get(10, TimeUnit.SECONDS);
        s1.holdBarriers();
        s2.holdBarriers();

        // both commits' first level (s1) out, unconfirmed
        CompletableFuture<Move> one = core.commit(first.id());
        await(() -> s1.heldBarriers() == 1, "the first commit's flow-mods for s1 sent");
        CompletableFuture<Move> two = core.commit(second.id());
        await(() -> s1.heldBarriers() == 2, "the second commit's flow-mods for s1 sent");

        // the commit whose level for s2 runs first sends s2's changed flows, both commits' own, unconfirmed; the
        // other's level for s2 has nothing left to send
        s1.releaseBarriers();
        await(() -> s2.heldBarriers() >= 1, "s2's flows sent");
        assertThatThrownBy(() -> CompletableFuture.anyOf(one, two).get(1, TimeUnit.SECONDS))
                .as("a commit whose flows s2 has not confirmed").isInstanceOf(TimeoutException.class);

        s2.releaseBarriers();
        assertThat(one.get(10, TimeUnit.SECONDS).id()).isEqualTo(first.id());
        assertThat(two.get(10, TimeUnit.SECONDS).id()).isEqualTo(second.id());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
