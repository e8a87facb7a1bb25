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
 * A commit answers only once every switch confirmed the flows it needs, level by level, also when another change sent
 * some of them first: three switches in a line (s1 - s2 - s3, over real TCP), a VM moving from s3 to s1.
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
        s1 = TestSwitch.connect(core.address(), 1, "br-1", Map.of("right", 2, "vm1", 3));
        s2 = TestSwitch.connect(core.address(), 2, "br-2", Map.of("left", 1, "right", 2));
        s3 = TestSwitch.connect(core.address(), 3, "br-3", Map.of("left", 1, "vm1", 3));
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
    void aCommitWaitsForTheSwitchToConfirmTheFlowsAnotherChangeSentFirst() throws Exception {
        Move move = core.prepare("vm1", S1, "vm1", null).get(10, TimeUnit.SECONDS);
        s1.holdBarriers();
        s2.holdBarriers();
        int s2Before = s2.flowMods().size();

        CompletableFuture<Move> commit = core.commit(move.id());
        // the destination's level is out, unconfirmed; the next levels wait for it
        await(() -> s1.heldBarriers() == 1, "the commit's flow-mods for s1 sent");
        assertThat(s2.flowMods()).as("s2 waits for s1's confirmation").hasSize(s2Before);

        // another change, meanwhile, converges every switch: it takes s2's changed flows, the commit's among them,
        // and sends them, unconfirmed (ahead of the commit's turn for s2, too: see docs/design.md)
        CompletableFuture<Void> other = core.setLinks(LINE);
        await(() -> s2.heldBarriers() == 1, "another change's flow-mods for s2 sent");
        assertThat(s2.flowMods()).as("the commit's flows for s2, sent by the other change").hasSizeGreaterThan(s2Before);

        s1.releaseBarriers();
        assertThatThrownBy(() -> commit.get(1, TimeUnit.SECONDS))
                .as("a commit whose flows s2 has not confirmed").isInstanceOf(TimeoutException.class);

        s2.releaseBarriers();
        assertThat(commit.get(10, TimeUnit.SECONDS).id()).isEqualTo(move.id());
        other.get(10, TimeUnit.SECONDS);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
