package io.cutover.sdn.impl;

import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import io.cutover.sdn.NotMasterException;
import io.cutover.sdn.SdnException;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StoreOptions;
import io.cutover.store.Versioned;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The desired state split into a head and parts, on a real (in-process) ZooKeeper. */
class SharedModelTest {
    private TestingServer server;
    private StoreOptions options;

    @BeforeEach
    void startServer() throws Exception {
        server = new TestingServer(true);
        options = StoreOptions.of(server.getConnectString()).withSessionTimeout(Duration.ofSeconds(10))
                .withOperationTimeout(Duration.ofSeconds(10)).withRoot("shared-model-test");
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void aSaveAfterOneEndpointChangedWritesTheHeadAndThatEndpointsBucketOnly() {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            SharedModel shared = new SharedModel(client);
            shared.load();
            ModelState state = ModelState.empty().withEndpoints(endpoints(new Random(1), 5_000))
                    .withLinks(List.of(new Link(Dpid.of(1), "p1", Dpid.of(2), "p1")));
            shared.save(state);
            List<String> before = client.children(SharedModel.PARTS);
            assertThat(before).hasSize(ModelParts.BUCKETS + 1);
            long written = shared.documentsWritten();

            ModelState.Placed vm = state.endpoints().values().iterator().next();
            ModelState moved = state.withEndpoint(new ModelState.Placed(vm.endpoint(), vm.generation() + 1))
                    .withMove(new Move(1, vm.endpoint().name(), vm.endpoint().switchId(), "p1", 0, Dpid.of(9),
                            "p9", null, MoveState.COMMITTED));
            shared.save(moved);

            assertThat(shared.documentsWritten() - written).as("the head, the bucket's new part, its old one deleted")
                    .isEqualTo(3);
            List<String> after = client.children(SharedModel.PARTS);
            assertThat(after).hasSize(before.size());
            List<String> replaced = new ArrayList<>(before);
            replaced.removeAll(after);
            assertThat(replaced).singleElement().asString()
                    .startsWith(String.format("e%03d-", ModelParts.bucket(vm.endpoint().name())));

            shared.save(moved);
            assertThat(shared.documentsWritten() - written).as("nothing changed: the head alone").isEqualTo(4);
            assertThat(new SharedModel(client).load()).isEqualTo(moved);
        }
    }

    @Test
    void fiftyThousandEndpointsSaveAndLoadAndAMoveWritesLittle() {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            SharedModel shared = new SharedModel(client);
            shared.load();
            List<ModelState.Placed> all = endpoints(new Random(2), 50_000);
            ModelState state = ModelState.empty();
            for (int from = 0; from < all.size(); from += 2_000) {
                // as bench scale adds them: 2,000 a call, every bucket changed each time
                state = state.withEndpoints(all.subList(from, from + 2_000));
                shared.save(state);
            }
            long stored = client.children(SharedModel.PARTS).stream()
                    .mapToLong(p -> client.read(SharedModel.PARTS + "/" + p).orElseThrow().data().length).sum()
                    + client.read(SharedModel.HEAD).orElseThrow().data().length;

            long started = System.nanoTime();
            SharedModel slave = new SharedModel(client);
            ModelState loaded = slave.load();
            long loadMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(loaded).isEqualTo(state);

            Random random = new Random(3);
            List<String> names = new ArrayList<>(state.endpoints().keySet());
            int saves = 500;
            long written = shared.documentsWritten();
            long[] nanos = new long[saves];
            for (int i = 0; i < saves; i++) {
                ModelState.Placed vm = state.endpoints().get(names.get(random.nextInt(names.size())));
                state = state.withEndpoint(new ModelState.Placed(vm.endpoint(), vm.generation() + 1));
                long t = System.nanoTime();
                shared.save(state);
                nanos[i] = System.nanoTime() - t;
            }
            started = System.nanoTime();
            ModelState reloaded = slave.load();
            long takeoverMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(reloaded).as("a slave that held the parts before %d saves", saves).isEqualTo(state);
            System.out.printf("50,000 endpoints: loaded again after %d saves by a reader that held them in %d ms%n",
                    saves, takeoverMs);
            long[] write = new long[saves];
            long[] diff = new long[saves];
            long[] encode = new long[saves];
            int version = client.write("baseline", new byte[100], Versioned.ABSENT);
            for (int i = 0; i < saves; i++) {
                long t = System.nanoTime();
                version = client.write("baseline", new byte[100], version);
                write[i] = System.nanoTime() - t;
                ModelState.Placed vm = state.endpoints().get(names.get(random.nextInt(names.size())));
                ModelState next = state.withEndpoint(new ModelState.Placed(vm.endpoint(), vm.generation() + 1));
                t = System.nanoTime();
                SharedModel.changedBuckets(state.endpoints(), next.endpoints(), new ArrayList<>(
                        java.util.Collections.nCopies(ModelParts.BUCKETS, org.pcollections.TreePMap.empty())));
                diff[i] = System.nanoTime() - t;
                t = System.nanoTime();
                ModelParts.encodeEndpoints(all.subList(0, all.size() / ModelParts.BUCKETS));
                encode[i] = System.nanoTime() - t;
                state = next;
            }
            System.out.printf("50,000 endpoints: %d bytes in the store (%d parts), loaded in %d ms; a save of one "
                    + "changed endpoint: median %.2f ms, p99 %.2f ms, %.1f documents (of which: finding the changed "
                    + "bucket %.3f ms, encoding a bucket %.2f ms; one write of 100 bytes alone %.2f ms)%n", stored,
                    client.children(SharedModel.PARTS).size(), loadMs, median(nanos), p99(nanos),
                    (shared.documentsWritten() - written) / (double) saves, median(diff), median(encode),
                    median(write));
            assertThat(shared.documentsWritten() - written).isEqualTo(3L * saves);
            shared.save(state);
            assertThat(new SharedModel(client).load()).isEqualTo(state);

            // the whole state rewritten at once: more than one transaction takes, made by parts under the fence
            ModelState renamed = ModelState.empty().withEndpoints(all.stream().map(p -> new ModelState.Placed(
                    p.endpoint(), p.generation() + 7)).toList());
            shared.save(renamed);
            assertThat(new SharedModel(client).load()).isEqualTo(renamed);
            assertThat(client.children(SharedModel.PARTS)).hasSize(ModelParts.BUCKETS);
        }
    }

    @Test
    void aSaveOverAnotherControllersWriteIsRefusedWithNothingWritten() {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            SharedModel first = new SharedModel(client);
            SharedModel second = new SharedModel(client);
            first.load();
            first.save(ModelState.empty().withEndpoints(endpoints(new Random(4), 1_000)));
            second.load();
            ModelState mine = first.load();
            second.save(mine.withoutEndpoint(mine.endpoints().keySet().iterator().next()));
            List<String> parts = client.children(SharedModel.PARTS);
            Versioned head = client.read(SharedModel.HEAD).orElseThrow();

            // small (one transaction) and large (parts first, under a check of the head)
            assertThatThrownBy(() -> first.save(mine.withMove(new Move(1, "x", Dpid.of(1), "p", 0, Dpid.of(2), "q",
                    null, MoveState.COMMITTED)))).isInstanceOf(NotMasterException.class)
                    .hasMessageContaining("another controller wrote");
            assertThatThrownBy(() -> first.save(ModelState.empty().withEndpoints(endpoints(new Random(5), 40_000))))
                    .isInstanceOf(NotMasterException.class);
            assertThat(client.children(SharedModel.PARTS)).as("the parts the refused save made are gone")
                    .isEqualTo(parts);
            assertThat(client.read(SharedModel.HEAD)).contains(head);
        }
    }

    @Test
    void aFollowerReadsTheHeadAloneUntilTheMasterSavesAndThenOnlyThePartsThatChanged() {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            SharedModel master = new SharedModel(client);
            master.load();
            ModelState state = ModelState.empty().withEndpoints(endpoints(new Random(11), 5_000));
            master.save(state);
            List<String> reads = new ArrayList<>();
            SharedModel follower = new SharedModel(new ForwardingStore(client) {
                @Override
                public java.util.Optional<Versioned> read(String path) {
                    reads.add(path);
                    return super.read(path);
                }
            });
            ModelState first = follower.refresh().orElseThrow();
            assertThat(first).as("the first look reads it all").isEqualTo(state);
            reads.clear();
            assertThat(follower.refresh()).as("nothing saved since").isEmpty();
            assertThat(reads).containsExactly(SharedModel.HEAD);

            ModelState.Placed vm = state.endpoints().values().iterator().next();
            ModelState moved = state.withEndpoint(new ModelState.Placed(vm.endpoint().at(Dpid.of(9), "p9"),
                    vm.generation() + 1)).withMove(new Move(1, vm.endpoint().name(), vm.endpoint().switchId(),
                    vm.endpoint().port(), vm.generation(), Dpid.of(9), "p9", null, MoveState.COMMITTED));
            master.save(moved);
            reads.clear();
            ModelState followed = follower.refresh().orElseThrow();
            assertThat(followed).isEqualTo(moved);
            assertThat(reads).as("the head and the moved endpoint's bucket").hasSize(2).first()
                    .isEqualTo(SharedModel.HEAD);
            assertThat(reads.get(1)).startsWith(SharedModel.PARTS + "/"
                    + String.format("e%03d-", ModelParts.bucket(vm.endpoint().name())));
            assertThat(((EndpointMap) followed.endpoints()).changedSince((EndpointMap) first.endpoints()))
                    .as("the followed map remembers what changed, for the plan").containsExactly(vm.endpoint().name());
            assertThat(follower.load()).as("a takeover after following reads the head alone").isEqualTo(moved);
            assertThat(reads).hasSize(3);
        }
    }

    @Test
    void partsNoHeadNamesAreSweptByTheNextSaveAfterALoad() {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            SharedModel shared = new SharedModel(client);
            shared.load();
            ModelState state = ModelState.empty().withEndpoints(endpoints(new Random(8), 500));
            shared.save(state);
            List<String> named = client.children(SharedModel.PARTS);
            // a controller killed between the parts of a large save and its head
            client.write(SharedModel.PARTS + "/e001-2-dead.1", new byte[10], Versioned.ABSENT);
            client.write(SharedModel.PARTS + "/e002-2-dead.1", new byte[10], Versioned.ABSENT);

            SharedModel next = new SharedModel(client);
            assertThat(next.load()).isEqualTo(state);
            next.save(state);
            assertThat(client.children(SharedModel.PARTS)).isEqualTo(named);
            assertThat(new SharedModel(client).load()).isEqualTo(state);
        }
    }

    @Test
    void aLargeSaveWhosePartsWereSweptMeanwhileIsRefused() {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            SharedModel first = new SharedModel(client);
            first.load();
            first.save(ModelState.empty());
            Versioned head = client.read(SharedModel.HEAD).orElseThrow();
            // another controller's sweep takes the first part this save made, between its transactions
            ReplicatedStore sweptBetween = new ForwardingStore(client) {
                private boolean swept;

                @Override
                public List<Integer> commit(List<io.cutover.store.Write> writes) {
                    List<Integer> versions = super.commit(writes);
                    if (!swept) {
                        swept = true;
                        client.delete(writes.get(0).path(), 0);
                    }
                    return versions;
                }
            };
            SharedModel large = new SharedModel(sweptBetween);
            large.load();
            assertThatThrownBy(() -> large.save(ModelState.empty().withEndpoints(endpoints(new Random(9), 40_000))))
                    .isInstanceOf(NotMasterException.class);
            assertThat(client.read(SharedModel.HEAD)).contains(head);
            assertThat(client.children(SharedModel.PARTS)).isEmpty();
        }
    }

    @Test
    void aBucketLargerThanADocumentIsRefusedBeforeAnythingIsWritten() {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            SharedModel shared = new SharedModel(client);
            shared.load();
            shared.save(ModelState.empty());
            Random random = new Random(6);
            List<ModelState.Placed> oneBucket = new ArrayList<>();
            for (int i = 0; oneBucket.size() < 3_000; i++) {
                String name = "vm-" + Long.toHexString(random.nextLong());
                if (ModelParts.bucket(name) == 7) {
                    List<String> addresses = new ArrayList<>();
                    for (int a = 0; a < 60; a++) {
                        addresses.add(String.format("2001:db8:%x:%x::%x", random.nextInt(65536),
                                random.nextInt(65536), random.nextInt(65536)));
                    }
                    oneBucket.add(new ModelState.Placed(new Endpoint(i + 1, name, 1, "02:00:00:00:00:01", addresses,
                            Dpid.of(1), "tap" + i), 0));
                }
            }
            Versioned head = client.read(SharedModel.HEAD).orElseThrow();
            assertThatThrownBy(() -> shared.save(ModelState.empty().withEndpoints(oneBucket)))
                    .isInstanceOf(SdnException.class).hasMessageContaining("endpoints of bucket 7")
                    .hasMessageContaining("more than the 900000");
            assertThat(client.read(SharedModel.HEAD)).contains(head);
            assertThat(client.children(SharedModel.PARTS)).isEmpty();
            shared.save(ModelState.empty().withEndpoints(oneBucket.subList(0, 100)));
        }
    }

    @Test
    void theSingleDocumentOfEarlierControllersIsReadAndReplacedByTheFirstSave() {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            ModelState old = ModelState.empty().withEndpoints(endpoints(new Random(7), 100))
                    .withLinks(List.of(new Link(Dpid.of(1), "p1", Dpid.of(2), "p1")));
            client.write(SharedModel.LEGACY_PATH, ModelParts.gzip(StateJournal.encode(old)), Versioned.ABSENT);
            SharedModel shared = new SharedModel(client);
            assertThat(shared.load()).isEqualTo(old);
            shared.save(old);
            assertThat(client.read(SharedModel.LEGACY_PATH)).isEmpty();
            assertThat(new SharedModel(client).load()).isEqualTo(old);
        }
    }

    /** A store that does what another does: tests override what they change. */
    private static class ForwardingStore implements ReplicatedStore {
        private final ReplicatedStore store;

        ForwardingStore(ReplicatedStore store) {
            this.store = store;
        }

        @Override
        public java.util.Optional<Versioned> read(String path) {
            return store.read(path);
        }

        @Override
        public int write(String path, byte[] data, int expectedVersion) {
            return store.write(path, data, expectedVersion);
        }

        @Override
        public void delete(String path, int expectedVersion) {
            store.delete(path, expectedVersion);
        }

        @Override
        public List<Integer> commit(List<io.cutover.store.Write> writes) {
            return store.commit(writes);
        }

        @Override
        public List<String> children(String path) {
            return store.children(path);
        }

        @Override
        public io.cutover.store.Lease lease(String path, byte[] data) {
            return store.lease(path, data);
        }

        @Override
        public io.cutover.store.LeaderElection elect(String election, String participant) {
            return store.elect(election, participant);
        }

        @Override
        public void close() {
        }
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }

    private static double p99(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length * 99 / 100] / 1e6;
    }

    /** {@code n} endpoints with random names and MACs on 1,000 switches. */
    static List<ModelState.Placed> endpoints(Random random, int n) {
        List<ModelState.Placed> placed = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            placed.add(new ModelState.Placed(new Endpoint(i, "vm-" + Long.toHexString(random.nextLong()), 1,
                    String.format("02:%02x:%02x:%02x:%02x:%02x", random.nextInt(256), random.nextInt(256),
                            random.nextInt(256), random.nextInt(256), random.nextInt(256)),
                    List.of("198.18." + (i / 250 % 256) + "." + (i % 250 + 1)), Dpid.of(random.nextInt(1000) + 1),
                    "tap" + i), 0));
        }
        return placed;
    }
}
