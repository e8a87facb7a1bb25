package io.cutover.it.store;

import io.cutover.it.LabExtension;
import io.cutover.lab.Topology;
import io.cutover.lab.ZooKeeperEnsemble;
import io.cutover.store.LeaderElection;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StaleVersionException;
import io.cutover.store.StoreAuthException;
import io.cutover.store.StoreCredential;
import io.cutover.store.StoreOptions;
import io.cutover.store.StoreUnavailableException;
import io.cutover.store.Versioned;
import io.cutover.store.Write;
import io.cutover.support.Netns;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
    void aTransactionWritesEveryDocumentOrNoneAcrossTheEnsemble() throws Exception {
        Client controller = client(Topology.FABRIC, store().connectString());
        Client other = client("hostA", store().connectString());
        List<Integer> made = controller.call(s -> s.commit(List.of(
                Write.put("tx/head", json("{\"revision\":1}"), Versioned.ABSENT),
                Write.put("tx/parts/e001-1", json("[\"vm1\"]"), Versioned.ABSENT),
                Write.put("tx/parts/e002-1", json("[\"vm2\"]"), Versioned.ABSENT))));
        assertThat(made).containsExactly(0, 0, 0);
        // another controller moves vm1: its new part, the old one deleted, and the head, together
        List<Integer> moved = other.call(s -> s.commit(List.of(Write.put("tx/head", json("{\"revision\":2}"), 0),
                Write.put("tx/parts/e001-2", json("[\"vm1 moved\"]"), Versioned.ABSENT),
                Write.delete("tx/parts/e001-1", 0))));
        assertThat(moved).containsExactly(1, 0, Versioned.ABSENT);

        // the first, over the head it wrote, is refused whole: its new part is not made, the part it deletes stays
        assertThatThrownBy(() -> controller.call(s -> s.commit(List.of(
                Write.put("tx/head", json("{\"revision\":2}"), 0),
                Write.put("tx/parts/e002-2", json("[\"vm2 moved\"]"), Versioned.ABSENT),
                Write.delete("tx/parts/e002-1", 0))))).isInstanceOfSatisfying(StaleVersionException.class,
                e -> assertThat(e.path()).isEqualTo("tx/head"));
        List<String> parts = controller.call(s -> s.children("tx/parts"));
        assertThat(parts).containsExactly("e001-2", "e002-1");
        Optional<Versioned> head = controller.call(s -> s.read("tx/head"));
        assertThat(head).contains(new Versioned(json("{\"revision\":2}"), 1));

        // the parts a transaction makes carry the store's ACL as a single write's documents do
        try (Netns hostA = LAB.lab().netns("hostA")) {
            hostA.run(() -> {
                try (ZooKeeper wrong = zooKeeper("cutover:" + "0".repeat(64))) {
                    assertThatThrownBy(() -> wrong.getData("/cutover/tx/parts/e001-2", false, null))
                            .isInstanceOf(KeeperException.NoAuthException.class);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
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

    /**
     * The members take no client that does not authenticate, and the documents are the lab's credential's alone:
     * a plain ZooKeeper client from hostA without it, or with a wrong password, can neither read nor write the
     * cluster's model, nor make a znode of its own; the client with it still can.
     */
    @Test
    void withoutTheCredentialOrWithAWrongPasswordTheModelCanNeitherBeReadNorWritten() throws Exception {
        Client agent = client("hostA", store().connectString());
        int version = agent.call(s -> s.write("auth/sdn/model", json("{\"n\":0}"), Versioned.ABSENT));
        String model = "/cutover/auth/sdn/model";
        StoreCredential right = store().credential();

        try (Netns hostA = LAB.lab().netns("hostA")) {
            hostA.run(() -> {
                try (ZooKeeper anonymous = zooKeeper(null); ZooKeeper anonymous2 = zooKeeper(null);
                     ZooKeeper wrong = zooKeeper("cutover:" + "0".repeat(64))) {
                    // no credential: the server closes the session at its first operation
                    assertThatThrownBy(() -> anonymous.getData(model, false, null))
                            .isInstanceOf(KeeperException.SessionClosedRequireAuthException.class);
                    assertThatThrownBy(() -> anonymous2.create("/elsewhere", new byte[0],
                            ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))
                            .isInstanceOf(KeeperException.SessionClosedRequireAuthException.class);
                    // a wrong password is another identity: the documents are not its own
                    assertThatThrownBy(() -> wrong.getData(model, false, null))
                            .isInstanceOf(KeeperException.NoAuthException.class);
                    assertThatThrownBy(() -> wrong.setData(model, json("{\"n\":666}"), -1))
                            .isInstanceOf(KeeperException.NoAuthException.class);
                    assertThatThrownBy(() -> wrong.delete(model, -1))
                            .isInstanceOf(KeeperException.NoAuthException.class);
                    assertThatThrownBy(() -> wrong.getChildren("/cutover", false))
                            .isInstanceOf(KeeperException.NoAuthException.class);
                    assertThatThrownBy(() -> wrong.create("/cutover/intruder", new byte[0],
                            ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))
                            .isInstanceOf(KeeperException.NoAuthException.class);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
        // the store's own client refuses at connect, naming the store and the credential's origin
        StoreOptions options = StoreOptions.of(store().connectString()).withOperationTimeout(OPERATION_TIMEOUT);
        long start = System.nanoTime();
        assertThatThrownBy(() -> client("hostA", options)).isInstanceOf(StoreAuthException.class)
                .hasMessageContaining(store().connectString()).hasMessageContaining("no credential");
        assertThatThrownBy(() -> client("hostA", options.withCredential(new StoreCredential(right.user(),
                "0".repeat(64), Path.of("/tmp/wrong.auth"))))).isInstanceOf(StoreAuthException.class)
                .hasMessageContaining("/tmp/wrong.auth");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(OPERATION_TIMEOUT.multipliedBy(2));

        Optional<Versioned> read = agent.call(s -> s.read("auth/sdn/model"));
        assertThat(read).contains(new Versioned(json("{\"n\":0}"), version));
        int written = agent.call(s -> s.write("auth/sdn/model", json("{\"n\":1}"), version));
        assertThat(written).isEqualTo(version + 1);
    }

    /** A plain ZooKeeper client to the ensemble, authenticated with {@code digest} when given, once connected. */
    private static ZooKeeper zooKeeper(String digest) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(store().connectString(), 4000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (digest != null) {
            zk.addAuthInfo("digest", digest.getBytes(StandardCharsets.UTF_8));
        }
        if (!connected.await(10, TimeUnit.SECONDS)) {
            zk.close();
            throw new AssertionError("no member answered within 10 s");
        }
        return zk;
    }

    private Client client(String node, StoreOptions options) {
        Client client = new Client(LAB.lab().netns(node), options);
        clients.add(client);
        return client;
    }

    private static ZooKeeperEnsemble store() {
        return LAB.lab().store().orElseThrow();
    }

    private Client client(String node, String connectString) {
        return client(node, connectString, OPERATION_TIMEOUT);
    }

    private Client client(String node, String connectString, Duration operationTimeout) {
        Client client = new Client(LAB.lab().netns(node), StoreOptions.of(connectString)
                .withSessionTimeout(Duration.ofSeconds(4)).withOperationTimeout(operationTimeout)
                .withCredential(store().credential()));
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
            try {
                this.store = netns.call(() -> ReplicatedStore.connect(options));
            } catch (RuntimeException e) {
                netns.close();
                throw e;
            }
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
