package io.cutover.store;

import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZKUtil;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's contract on one real ZooKeeper server on loopback (the lab's ensemble is ReplicatedStoreIT's). */
class CuratorStoreTest {
    private TestingServer server;
    private StoreOptions options;

    @BeforeEach
    void startServer() throws Exception {
        server = new TestingServer(true);
        options = StoreOptions.of(server.getConnectString()).withSessionTimeout(Duration.ofSeconds(4))
                .withOperationTimeout(Duration.ofSeconds(2));
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void compareAndSetWritesOnlyOverTheVersionItNames() {
        try (ReplicatedStore store = ReplicatedStore.connect(options)) {
            assertThat(store.read("vms/vm1")).isEmpty();
            assertThat(store.write("vms/vm1", bytes("{\"host\":\"hostA\"}"), Versioned.ABSENT)).isZero();
            assertThatThrownBy(() -> store.write("vms/vm1", bytes("{\"host\":\"other\"}"), Versioned.ABSENT))
                    .isInstanceOf(StaleVersionException.class).hasMessageContaining("vms/vm1");
            assertThat(store.write("vms/vm1", bytes("{\"host\":\"hostB\"}"), 0)).isEqualTo(1);
            assertThatThrownBy(() -> store.write("vms/vm1", bytes("{\"host\":\"late\"}"), 0))
                    .isInstanceOfSatisfying(StaleVersionException.class, e -> assertThat(e.expectedVersion()).isZero());
            assertThat(store.read("vms/vm1")).contains(new Versioned(bytes("{\"host\":\"hostB\"}"), 1));

            assertThatThrownBy(() -> store.delete("vms/vm1", 0)).isInstanceOf(StaleVersionException.class);
            store.delete("vms/vm1", 1);
            assertThat(store.read("vms/vm1")).isEmpty();
            assertThatThrownBy(() -> store.write("vms/vm1", bytes("{}"), 1)).isInstanceOf(StaleVersionException.class);
        }
    }

    @Test
    void aTransactionWritesEveryDocumentOrNone() {
        try (ReplicatedStore store = ReplicatedStore.connect(options)) {
            assertThat(store.commit(List.of(Write.put("model/head", bytes("h0"), Versioned.ABSENT),
                    Write.put("model/parts/a", bytes("a0"), Versioned.ABSENT),
                    Write.put("model/parts/b", bytes("b0"), Versioned.ABSENT)))).containsExactly(0, 0, 0);
            assertThat(store.commit(List.of(Write.put("model/head", bytes("h1"), 0),
                    Write.put("model/parts/c", bytes("c1"), Versioned.ABSENT), Write.delete("model/parts/a", 0),
                    Write.check("model/parts/b", 0)))).containsExactly(1, 0, Versioned.ABSENT, Versioned.ABSENT);
            assertThat(store.children("model/parts")).containsExactly("b", "c");

            // the head is at 1: a transaction over 0 is refused whole, the creation and delete in it too
            assertThatThrownBy(() -> store.commit(List.of(Write.put("model/parts/d", bytes("d"), Versioned.ABSENT),
                    Write.delete("model/parts/b", 0), Write.put("model/head", bytes("late"), 0))))
                    .isInstanceOfSatisfying(StaleVersionException.class, e -> {
                        assertThat(e.path()).isEqualTo("model/head");
                        assertThat(e.expectedVersion()).isZero();
                    });
            assertThatThrownBy(() -> store.commit(List.of(Write.put("model/parts/d", bytes("d"), Versioned.ABSENT),
                    Write.check("model/head", 0)))).isInstanceOf(StaleVersionException.class);
            assertThatThrownBy(() -> store.commit(List.of(Write.put("model/head", bytes("h2"), 1),
                    Write.put("model/parts/c", bytes("again"), Versioned.ABSENT))))
                    .isInstanceOfSatisfying(StaleVersionException.class,
                            e -> assertThat(e.path()).isEqualTo("model/parts/c"));
            assertThat(store.children("model/parts")).containsExactly("b", "c");
            assertThat(store.read("model/head")).contains(new Versioned(bytes("h1"), 1));
            assertThat(store.read("model/parts/c")).contains(new Versioned(bytes("c1"), 0));

            assertThatThrownBy(() -> store.commit(List.of())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.commit(List.of(Write.check("model/head", 1),
                    Write.put("model/head", bytes("x"), 1)))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void childrenListsTheDocumentsUnderAPath() {
        try (ReplicatedStore store = ReplicatedStore.connect(options)) {
            assertThat(store.children("cutovers")).isEmpty();
            store.write("cutovers/hostB/c-2", bytes("{}"), Versioned.ABSENT);
            store.write("cutovers/hostA/c-1", bytes("{}"), Versioned.ABSENT);
            assertThat(store.children("cutovers")).containsExactly("hostA", "hostB");
            assertThat(store.children("cutovers/hostA")).containsExactly("c-1");
        }
    }

    @Test
    void aLeaseGoesWhenItsHoldersSessionEndsAndIsTakenOverByTheNext() throws Exception {
        ReplicatedStore holder = ReplicatedStore.connect(options);
        try (ReplicatedStore peer = ReplicatedStore.connect(options)) {
            holder.lease("agents/hostA", bytes("first"));
            assertThat(peer.read("agents/hostA")).map(v -> new String(v.data(), StandardCharsets.UTF_8))
                    .contains("first");
            holder.close();
            assertThat(peer.read("agents/hostA")).as("a closed session's lease").isEmpty();

            try (ReplicatedStore again = ReplicatedStore.connect(options)) {
                Lease lease = again.lease("agents/hostA", bytes("second"));
                assertThat(peer.read("agents/hostA")).isPresent();
                lease.close();
                assertThat(peer.read("agents/hostA")).as("a lease given up").isEmpty();
            }
        }
    }

    @Test
    void aSecondClientSeesTheFirstsWrites() {
        try (ReplicatedStore one = ReplicatedStore.connect(options);
             ReplicatedStore two = ReplicatedStore.connect(options)) {
            one.write("cluster/config", bytes("{\"a\":1}"), Versioned.ABSENT);
            assertThat(two.read("cluster/config")).map(v -> v.version()).contains(0);
            assertThat(two.read("other/cluster/config")).isEmpty();
        }
    }

    @Test
    void refusesPathsThatAreNotRelative() {
        try (ReplicatedStore store = ReplicatedStore.connect(options)) {
            assertThatThrownBy(() -> store.read("/vms")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.read("vms//vm1")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.read("vms/../x")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void connectingToNoServerFailsWithinTheOperationTimeout() throws Exception {
        server.stop();
        long start = System.nanoTime();
        assertThatThrownBy(() -> ReplicatedStore.connect(options)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("unavailable");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void theNextLeaderHasAHigherGeneration() {
        try (ReplicatedStore one = ReplicatedStore.connect(options);
             ReplicatedStore two = ReplicatedStore.connect(options)) {
            LeaderElection first = one.elect("controllers", "c1");
            OptionalLong firstGeneration = first.awaitLeadership(Duration.ofSeconds(5));
            assertThat(firstGeneration).isPresent();
            LeaderElection second = two.elect("controllers", "c2");
            assertThat(second.awaitLeadership(Duration.ofMillis(500))).isEmpty();
            assertThat(second.isLeader()).isFalse();
            assertThat(second.latestGeneration()).as("the leader's generation, seen by the other")
                    .isEqualTo(firstGeneration.getAsLong());

            first.close();
            OptionalLong secondGeneration = second.awaitLeadership(Duration.ofSeconds(5));
            assertThat(secondGeneration).isPresent();
            assertThat(secondGeneration.getAsLong()).isGreaterThan(firstGeneration.getAsLong());
            assertThat(second.latestGeneration()).isEqualTo(secondGeneration.getAsLong());
            assertThat(first.isLeader()).isFalse();
            second.close();
        }
    }

    @Test
    void withACredentialEveryDocumentIsItsIdentitysAloneAndOthersAreRefusedAtConnect() throws Exception {
        StoreCredential credential = StoreCredential.of("cutover", "0123456789abcdef0123");
        List<ACL> only = List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest",
                DigestAuthenticationProvider.generateDigest("cutover:0123456789abcdef0123"))));
        try (ReplicatedStore store = ReplicatedStore.connect(options.withCredential(credential));
             Lease lease = store.lease("agents/hostA", bytes("{}"));
             LeaderElection election = store.elect("controllers", "c1")) {
            store.write("sdn/model", bytes("{\"n\":1}"), Versioned.ABSENT);
            assertThat(election.awaitLeadership(Duration.ofSeconds(5))).isPresent();

            ZooKeeper owner = zooKeeper();
            owner.addAuthInfo("digest", "cutover:0123456789abcdef0123".getBytes(StandardCharsets.UTF_8));
            List<String> znodes = new java.util.ArrayList<>();
            ZKUtil.visitSubTreeDFS(owner, "/cutover", false, (rc, path, ctx, name) -> znodes.add(path));
            assertThat(znodes).contains("/cutover", "/cutover/sdn/model", "/cutover/agents/hostA",
                    "/cutover/elections/controllers/generation");
            for (String znode : znodes) {
                assertThat(owner.getACL(znode, new Stat())).as(znode).isEqualTo(only);
            }
            owner.close();

            ZooKeeper stranger = zooKeeper();
            assertThatThrownBy(() -> stranger.getData("/cutover/sdn/model", false, null))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.setData("/cutover/sdn/model", bytes("{}"), -1))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.create("/cutover/sdn/other", bytes("{}"), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT)).isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> stranger.getChildren("/cutover", false))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            stranger.close();

            assertThatThrownBy(() -> ReplicatedStore.connect(options)).isInstanceOf(StoreAuthException.class)
                    .hasMessageContaining("no credential").hasMessageContaining(server.getConnectString());
            StoreCredential wrong = new StoreCredential("cutover", "0123456789abcdef0124", Path.of("/etc/wrong.auth"));
            assertThatThrownBy(() -> ReplicatedStore.connect(options.withCredential(wrong)))
                    .isInstanceOf(StoreAuthException.class).hasMessageContaining("/etc/wrong.auth")
                    .hasMessageContaining("wrong password");
            assertThat(store.read("sdn/model")).map(Versioned::version).contains(0);
        }
    }

    private ZooKeeper zooKeeper() throws Exception {
        java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(server.getConnectString(), 4000, event -> {
            if (event.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        assertThat(connected.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return zk;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
