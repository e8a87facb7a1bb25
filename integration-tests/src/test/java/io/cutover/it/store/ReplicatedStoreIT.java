package io.cutover.it.store;

import io.cutover.it.LabExtension;
import io.cutover.lab.Topology;
import io.cutover.lab.ZooKeeperEnsemble;
import io.cutover.store.LeaderElection;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StaleVersionException;
import io.cutover.store.StoreOptions;
import io.cutover.store.StoreUnavailableException;
import io.cutover.store.Versioned;
import io.cutover.support.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store's client on the lab's three-member ZooKeeper ensemble, from the namespaces where the controller (fabric)
 * and the agents (hostA) will run: compare-and-set, one member down, no quorum, and a leader whose session is lost.
 * <p>
 * A namespace belongs to a thread, and a ZooKeeper client's threads are born in the namespace of the thread that
 * makes (or remakes) its connection: so every call on a client here goes through that client's namespace thread
 * ({@link Client}); the daemons run whole in their namespaces and need no such care.
 */
class ReplicatedStoreIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.withStore(Topology.LAN);

    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(3);
    private final List<Client> clients = new ArrayList<>();

    @AfterEach
    void restoreTheEnsemble() {
        clients.forEach(Client::close);
        ZooKeeperEnsemble store = store();
        store.members().stream().filter(m -> !store.running(m)).forEach(store::start);
        store.awaitLeader(Duration.ofSeconds(60));
    }

    @Test
    void compareAndSetRefusesAStaleVersionAndWritesNothing() {
        Client controller = client(Topology.FABRIC, store().connectString());
        Client agent = client("hostA", store().connectString());
        int created = controller.call(s -> s.write("cas/vm1", json("{\"host\":\"hostA\"}"), Versioned.ABSENT));
        int moved = agent.call(s -> s.write("cas/vm1", json("{\"host\":\"hostB\"}"), created));

        assertThatThrownBy(() -> controller.call(s -> s.write("cas/vm1", json("{\"host\":\"stale\"}"), created)))
                .isInstanceOf(StaleVersionException.class);
        assertThatThrownBy(() -> controller.call(s -> s.write("cas/vm1", json("{}"), Versioned.ABSENT)))
                .isInstanceOf(StaleVersionException.class);
        Optional<Versioned> read = controller.call(s -> s.read("cas/vm1"));
        assertThat(read).contains(new Versioned(json("{\"host\":\"hostB\"}"), moved));
        assertThat(moved).isEqualTo(created + 1);
    }

    @Test
    void oneMemberDownTheOthersStillServe() {
        ZooKeeperEnsemble store = store();
        Client controller = client(Topology.FABRIC, store.connectString(), Duration.ofSeconds(10));
        int version = controller.call(s -> s.write("one-down/doc", json("{\"n\":0}"), Versioned.ABSENT));
        String leader = store.awaitLeader(Duration.ofSeconds(10));

        store.stop(leader);
        int written = controller.call(s -> s.write("one-down/doc", json("{\"n\":1}"), version));
        assertThat(written).isEqualTo(version + 1);
        Optional<Versioned> read = controller.call(s -> s.read("one-down/doc"));
        assertThat(read).map(Versioned::version).contains(written);
        assertThat(store.awaitLeader(Duration.ofSeconds(30))).isNotEqualTo(leader);
    }

    @Test
    void withoutAQuorumWritesFailWithinTheTimeoutAndNothingIsHalfDone() {
        ZooKeeperEnsemble store = store();
        Client controller = client(Topology.FABRIC, store.connectString());
        int version = controller.call(s -> s.write("no-quorum/doc", json("{\"n\":0}"), Versioned.ABSENT));

        store.stop("zk1");
        store.stop("zk2");
        long start = System.nanoTime();
        assertThatThrownBy(() -> controller.call(s -> s.write("no-quorum/doc", json("{\"n\":1}"), version)))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("no-quorum/doc");
        Duration failedAfter = Duration.ofNanos(System.nanoTime() - start);
        assertThat(failedAfter).isLessThan(OPERATION_TIMEOUT.multipliedBy(3));
        assertThatThrownBy(() -> controller.call(s -> s.read("no-quorum/doc")))
                .isInstanceOf(StoreUnavailableException.class);

        store.start("zk1");
        store.start("zk2");
        store.awaitLeader(Duration.ofSeconds(60));
        Optional<Versioned> after = eventually(() -> controller.call(s -> s.read("no-quorum/doc")));
        assertThat(after).contains(new Versioned(json("{\"n\":0}"), version));
        int rewritten = controller.call(s -> s.write("no-quorum/doc", json("{\"n\":2}"), version));
        assertThat(rewritten).isEqualTo(version + 1);
    }

    @Test
    void whenTheLeadersSessionIsLostTheOtherLeadsWithAHigherGeneration() {
        ZooKeeperEnsemble store = store();
        // the first contender knows zk1 only: killing zk1 cuts it off, and its session expires on zk2 and zk3
        Client cutOff = client(Topology.FABRIC, store.address("zk1") + ":" + Topology.STORE_CLIENT_PORT);
        Client other = client("hostA", store.address("zk2") + ":" + Topology.STORE_CLIENT_PORT + ","
                + store.address("zk3") + ":" + Topology.STORE_CLIENT_PORT);
        LeaderElection first = cutOff.call(s -> s.elect("controllers", "controller-1"));
        OptionalLong firstGeneration = first.awaitLeadership(Duration.ofSeconds(10));
        assertThat(firstGeneration).isPresent();
        LeaderElection second = other.call(s -> s.elect("controllers", "controller-2"));
        assertThat(second.awaitLeadership(Duration.ofSeconds(1))).isEmpty();

        store.kill("zk1");
        OptionalLong secondGeneration = second.awaitLeadership(Duration.ofSeconds(20));
        assertThat(secondGeneration).isPresent();
        assertThat(secondGeneration.getAsLong()).isGreaterThan(firstGeneration.getAsLong());
        assertThat(first.isLeader()).isFalse();
    }

    private static ZooKeeperEnsemble store() {
        return LAB.lab().store().orElseThrow();
    }

    private Client client(String node, String connectString) {
        return client(node, connectString, OPERATION_TIMEOUT);
    }

    private Client client(String node, String connectString, Duration operationTimeout) {
        Client client = new Client(LAB.lab().netns(node), StoreOptions.of(connectString)
                .withSessionTimeout(Duration.ofSeconds(4)).withOperationTimeout(operationTimeout));
        clients.add(client);
        return client;
    }

    private static <T> T eventually(Callable<T> call) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                return call.call();
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A store client whose every call runs on one thread inside {@code netns}. */
    private static final class Client implements AutoCloseable {
        private final Netns netns;
        private final ReplicatedStore store;

        Client(Netns netns, StoreOptions options) {
            this.netns = netns;
            this.store = netns.call(() -> ReplicatedStore.connect(options));
        }

        <T> T call(java.util.function.Function<ReplicatedStore, T> operation) {
            return netns.call(() -> operation.apply(store));
        }

        @Override
        public void close() {
            try {
                netns.run(store::close);
            } finally {
                netns.close();
            }
        }
    }
}
