package io.cutover.sdn.impl;

import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.ControllerRole;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import io.cutover.sdn.NotMasterException;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StoreOptions;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Controllers of one cluster on a real (in-process) ZooKeeper, without switches: one leads and writes the model to the
 * store, the other refuses changes and follows the model; a write over a version another controller replaced is refused with nothing
 * written; the next leader finds the model, with a move the previous master left open rolled back.
 */
class ControllerClusterTest {
    private static final Dpid SW = Dpid.of(0xa1);
    private TestingServer server;
    private StoreOptions store;

    @BeforeEach
    void startServer() throws Exception {
        server = new TestingServer(true);
        store = StoreOptions.of(server.getConnectString()).withSessionTimeout(Duration.ofSeconds(2))
                .withOperationTimeout(Duration.ofSeconds(2)).withRoot("cluster-test");
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void theLeaderWritesTheSlaveRefusesAndTheNextLeaderRollsBackAnOpenMove() throws Exception {
        ControllerCore first = new ControllerCore(ControllerOptions.builder().port(0).store(store).build());
        try (ControllerCore second = awaitRole(first, ControllerRole.MASTER, () ->
                new ControllerCore(ControllerOptions.builder().port(0).store(store).build()))) {
            first.putEndpoint(new Endpoint(1, "vm1", 1, "02:00:00:00:00:01", List.of(), SW, "p1"))
                    .get(5, TimeUnit.SECONDS);
            assertThat(second.role()).isEqualTo(ControllerRole.SLAVE);
            awaitModel(second, "the slave follows the master's save", m -> m.endpoints().containsKey("vm1"));
            assertThat(second.model()).isEqualTo(first.model());
            assertThat(first.storeSaves()).as("the takeover's write and the endpoint's").isEqualTo(2);
            assertThat(first.storeDocumentsWritten()).as("each a head, the endpoint's also its bucket").isEqualTo(3);
            assertThatThrownBy(() -> second.putEndpoint(new Endpoint(2, "vm2", 1, "02:00:00:00:00:02", List.of(),
                    SW, "p2")).get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(NotMasterException.class);

            // a move left open in the store, as a master that died between its redirect and its commit leaves it
            ModelState open = first.model().withMove(new Move(7, "vm1", SW, "p1", 0, Dpid.of(0xb2), "p9", null,
                    MoveState.REDIRECTED));
            try (ReplicatedStore client = ReplicatedStore.connect(store)) {
                SharedModel shared = new SharedModel(client);
                shared.load();
                shared.save(open);
            }
            // several changes at once: grouped into the saves behind the refused one, or refused as the slave it is then
            List<java.util.concurrent.CompletableFuture<Void>> changes = new java.util.ArrayList<>();
            for (int i = 3; i <= 7; i++) {
                changes.add(first.putEndpoint(new Endpoint(i, "vm" + i, 1, "02:00:00:00:00:0" + i, List.of(), SW,
                        "p" + i)));
            }
            assertThatThrownBy(() -> changes.get(0).get(5, TimeUnit.SECONDS))
                    .as("the master's write over a version it did not read")
                    .hasCauseInstanceOf(NotMasterException.class).hasMessageContaining("another controller wrote");
            for (java.util.concurrent.CompletableFuture<Void> change : changes) {
                assertThatThrownBy(() -> change.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(NotMasterException.class);
            }
            assertThat(first.model().endpoints()).as("nothing half-applied").containsOnlyKeys("vm1");
            awaitModel(second, "the slave follows the other writer too", m -> m.moves().containsKey(7));

            long started = System.nanoTime();
            first.close();
            awaitRole(second, ControllerRole.MASTER, () -> null);
            System.out.printf("failover in %d ms%n", (System.nanoTime() - started) / 1_000_000);
            assertThat(second.model().endpoints()).containsOnlyKeys("vm1");
            assertThat(second.model().moves().get(7).state()).isEqualTo(MoveState.ROLLED_BACK);
            assertThat(second.model().endpoints().get("vm1").endpoint().switchId()).isEqualTo(SW);
            second.putEndpoint(new Endpoint(2, "vm2", 1, "02:00:00:00:00:02", List.of(), SW, "p2"))
                    .get(5, TimeUnit.SECONDS);
            try (ReplicatedStore client = ReplicatedStore.connect(store)) {
                assertThat(new SharedModel(client).load().endpoints()).containsOnlyKeys("vm1", "vm2");
            }
        } finally {
            first.close();
        }
    }

    private static void awaitModel(ControllerCore core, String what, java.util.function.Predicate<ModelState> until)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!until.test(core.model())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within 5 s: " + core.model());
            }
            Thread.sleep(20);
        }
    }

    private static ControllerCore awaitRole(ControllerCore core, ControllerRole role,
                                            java.util.function.Supplier<ControllerCore> then) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (core.role() != role) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + role + " within 10 s");
            }
            Thread.sleep(20);
        }
        return then.get();
    }
}
