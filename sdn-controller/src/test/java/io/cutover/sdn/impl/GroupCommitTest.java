package io.cutover.sdn.impl;

import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.NotMasterException;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StoreOptions;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A master's saves grouped into store transactions, on a real (in-process) ZooKeeper. */
class GroupCommitTest {
    private TestingServer server;
    private StoreOptions options;
    private final ExecutorService writer = Executors.newSingleThreadExecutor();

    @BeforeEach
    void startServer() throws Exception {
        server = new TestingServer(true);
        options = StoreOptions.of(server.getConnectString()).withSessionTimeout(Duration.ofSeconds(10))
                .withOperationTimeout(Duration.ofSeconds(10)).withRoot("group-commit-test");
    }

    @AfterEach
    void stopServer() throws Exception {
        writer.shutdownNow();
        server.close();
    }

    @Test
    void savesAskedForDuringAWriteLandTogetherInTheNextTransaction() throws Exception {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            SharedModel shared = new SharedModel(client);
            shared.load();
            CountDownLatch release = new CountDownLatch(1);
            GroupCommit commits = new GroupCommit(heldSaves(shared::save, release, 1), writer, ModelState.empty());

            ModelState s1 = ModelState.empty().withEndpoint(vm(1));
            CompletableFuture<Void> first = commits.save(s1);
            ModelState s2 = s1.withEndpoint(vm(2));
            ModelState s3 = s2.withEndpoint(vm(3));
            ModelState s4 = s3.withoutEndpoint("vm1");
            List<CompletableFuture<Void>> merged = List.of(commits.save(s2), commits.save(s3), commits.save(s4));
            assertThat(merged).as("waiting for the write in flight").noneMatch(CompletableFuture::isDone);
            release.countDown();

            first.get(10, TimeUnit.SECONDS);
            CompletableFuture.allOf(merged.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(commits.saves()).isEqualTo(4);
            assertThat(commits.groups()).as("the first, then the three merged").isEqualTo(2);
            assertThat(shared.saves()).as("store transactions").isEqualTo(2);
            assertThat(commits.landed()).isEqualTo(s4);
            assertThat(new SharedModel(client).load().endpoints()).containsOnlyKeys("vm2", "vm3");
        }
    }

    @Test
    void aMergedGroupThatIsRefusedFailsEachOfItsCallersAndWritesNoneOfIt() throws Exception {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            SharedModel shared = new SharedModel(client);
            shared.load();
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger writes = new AtomicInteger();
            // another controller writes just before the second group's transaction: its fence is stale
            GroupCommit commits = new GroupCommit(heldSaves(state -> {
                if (writes.incrementAndGet() == 2) {
                    SharedModel other = new SharedModel(client);
                    other.save(other.load().withEndpoint(vm(9)));
                }
                shared.save(state);
            }, release, 1), writer, ModelState.empty());

            ModelState s1 = ModelState.empty().withEndpoint(vm(1));
            CompletableFuture<Void> first = commits.save(s1);
            ModelState s2 = s1.withEndpoint(vm(2));
            ModelState s3 = s2.withEndpoint(vm(3));
            CompletableFuture<Void> second = commits.save(s2);
            CompletableFuture<Void> third = commits.save(s3);
            release.countDown();

            first.get(10, TimeUnit.SECONDS);
            Throwable refused = failure(second);
            assertThat(refused).isInstanceOf(NotMasterException.class).hasMessageContaining("another controller wrote");
            assertThat(failure(third)).as("the same refusal").isSameAs(refused);
            assertThat(new SharedModel(client).load().endpoints()).as("the first group and the other's write")
                    .containsOnlyKeys("vm1", "vm9");
            assertThat(commits.landed()).isEqualTo(s1);
        }
    }

    @Test
    void aStaleGroupFailsEveryCallerInItAndTheGroupBehindAndTakesNoSaveUntilResumed() throws Exception {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            SharedModel shared = new SharedModel(client);
            shared.load();
            shared.save(ModelState.empty());
            SharedModel other = new SharedModel(client);
            other.save(other.load().withEndpoint(vm(9)));
            CountDownLatch release = new CountDownLatch(1);
            GroupCommit commits = new GroupCommit(heldSaves(shared::save, release, 1), writer, ModelState.empty());

            ModelState s1 = ModelState.empty().withEndpoint(vm(1));
            CompletableFuture<Void> inFlight = commits.save(s1);
            CompletableFuture<Void> behind = commits.save(s1.withEndpoint(vm(2)));
            CompletableFuture<Void> alsoBehind = commits.save(s1.withEndpoint(vm(2)).withEndpoint(vm(3)));
            release.countDown();

            Throwable refused = failure(inFlight);
            assertThat(refused).isInstanceOf(NotMasterException.class);
            assertThat(failure(behind)).isSameAs(refused);
            assertThat(failure(alsoBehind)).isSameAs(refused);
            assertThat(commits.failing()).isTrue();
            assertThat(failure(commits.save(s1.withEndpoint(vm(4))))).as("made from a refused state").isSameAs(refused);
            assertThat(shared.saves()).as("only the first save's transaction, before the other's write").isEqualTo(1);
            assertThat(new SharedModel(client).load().endpoints()).containsOnlyKeys("vm9");

            commits.resume(ModelState.empty(), 0);
            assertThat(commits.failing()).isFalse();
            assertThat(failure(commits.save(ModelState.empty().withEndpoint(vm(5)))))
                    .as("still fenced: this instance never read the other's write").isInstanceOf(NotMasterException.class);
        }
    }

    @Test
    void aGroupOfATermBeforeTheStateWasReadAgainIsNotWrittenAndTheNewTermIsNotTouched() throws Exception {
        try (ReplicatedStore client = ReplicatedStore.connect(options)) {
            SharedModel shared = new SharedModel(client);
            ModelState read = shared.load();
            CountDownLatch release = new CountDownLatch(1);
            GroupCommit.Writer write = shared::save;
            GroupCommit commits = new GroupCommit(held(write, release, 1), writer, read);
            commits.resume(read, shared.reads());

            // a master deposed with a save in flight and one waiting; another controller writes, and this one, a
            // slave now, reads the state again (its version then passes the fence) before the saves go out
            CompletableFuture<Void> inFlight = commits.save(read.withEndpoint(vm(1)));
            CompletableFuture<Void> waiting = commits.save(read.withEndpoint(vm(1)).withEndpoint(vm(2)));
            SharedModel other = new SharedModel(client);
            other.save(other.load().withEndpoint(vm(9)));
            ModelState followed = shared.refresh().orElseThrow();
            commits.resume(followed, shared.reads());
            assertThat(failure(waiting)).isInstanceOf(NotMasterException.class);
            release.countDown();

            assertThat(failure(inFlight)).isInstanceOf(NotMasterException.class).hasMessageContaining("read from the store again");
            assertThat(new SharedModel(client).load().endpoints()).containsOnlyKeys("vm9");
            assertThat(commits.failing()).as("the new term is not touched").isFalse();
            commits.save(followed.withEndpoint(vm(3))).get(10, TimeUnit.SECONDS);
            assertThat(new SharedModel(client).load().endpoints()).containsOnlyKeys("vm9", "vm3");
        }
    }

    /** {@code write} unfenced by terms, of which the first {@code held} calls wait for {@code release}. */
    private static GroupCommit.Writer heldSaves(Consumer<ModelState> write, CountDownLatch release, int held) {
        return held((state, term) -> write.accept(state), release, held);
    }

    /** {@code write}, of which the first {@code held} calls wait for {@code release}. */
    private static GroupCommit.Writer held(GroupCommit.Writer write, CountDownLatch release, int held) {
        AtomicInteger calls = new AtomicInteger();
        return (state, term) -> {
            if (calls.incrementAndGet() <= held) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            write.write(state, term);
        };
    }

    private static Throwable failure(CompletableFuture<Void> future) {
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.ExecutionException.class);
        return future.handle((v, e) -> e).join();
    }

    private static ModelState.Placed vm(int i) {
        return new ModelState.Placed(new Endpoint(i, "vm" + i, 1, String.format("02:00:00:00:00:%02x", i), List.of(),
                Dpid.of(1), "p" + i), 0);
    }
}
