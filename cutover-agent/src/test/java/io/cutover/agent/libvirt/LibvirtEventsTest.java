package io.cutover.agent.libvirt;

import io.cutover.agent.config.LibvirtConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LibvirtEvents} running a fake {@code virsh} ({@link FakeVirsh}): a shell script that prints scripted event
 * lines as virsh 9.0 does, exits (the supervisor restarts it), and answers {@code domstate}.
 */
class LibvirtEventsTest {
    @TempDir
    Path dir;

    @Test
    void handsEachDomainItsEventsInOrderAcrossRestartsOfVirsh() throws Exception {
        FakeVirsh virsh = FakeVirsh.in(dir)
                .prints(1, FakeVirsh.line("vm1", "Started Migrated") + FakeVirsh.line("other", "Started Booted")
                        + "\n2026-12-04 16:00:00.003+0000: event 'reboot' for domain 'vm1'\n"
                        + FakeVirsh.line("vm1", "Suspended Migrated"))
                .prints(2, FakeVirsh.line("vm1", "Stopped Migrated"))
                .prints(3, FakeVirsh.line("vm1", "Started Booted") + FakeVirsh.line("other", "Stopped Destroyed"));
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> others = new CopyOnWriteArrayList<>();
        long before = System.nanoTime();
        LibvirtEvents events = virsh.start(Duration.ofMillis(50));
        try {
            LibvirtDomains.Subscription vm1 = events.follow("vm1", event -> {
                assertThat(event.nanoTime()).isGreaterThan(before);
                seen.add(event.words());
            });
            events.follow("other", event -> others.add(event.words()));
            virsh.go(1);
            virsh.go(2);
            await(() -> seen.size() >= 3);
            assertThat(seen).containsExactly("Started Migrated", "Suspended Migrated", "Stopped Migrated");
            assertThat(others).containsExactly("Started Booted");
            assertThat(events.starts()).as("restarted after each exit").isGreaterThanOrEqualTo(2);
            vm1.close();
            vm1.close();
            virsh.go(3);
            await(() -> others.size() >= 2);
            assertThat(seen).as("nothing after the subscription was closed").hasSize(3);
        } finally {
            events.close();
        }
    }

    @Test
    void restartsVirshWhenItExitsAndStopsItOnClose() throws Exception {
        FakeVirsh virsh = FakeVirsh.in(dir).prints(1, "").prints(2, "")
                .prints(3, FakeVirsh.line("vm1", "Resumed Migrated"));
        virsh.goAlways();
        List<LibvirtEvent> seen = new CopyOnWriteArrayList<>();
        LibvirtEvents events = virsh.start(Duration.ofMillis(20));
        events.follow("vm1", seen::add);
        try {
            await(() -> events.starts() >= 4);
            assertThat(seen).extracting(LibvirtEvent::words).containsExactly("Resumed Migrated");
            assertThat(seen.get(0).at()).isEqualTo(Instant.parse("2026-12-04T16:00:00Z"));
        } finally {
            events.close();
        }
        int starts = events.starts();
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(child -> child.info().commandLine().orElse("")))
                .as("no virsh left running").noneMatch(command -> command.contains("sleep 60"));
        Thread.sleep(200);
        assertThat(events.starts()).as("not restarted once closed").isEqualTo(starts);
    }

    @Test
    void afterARestartTheEventsMissedMeanwhileComeFromTheDomainsState() throws Exception {
        // the first virsh event exits without a word; meanwhile vm1's migration ended, vm2 still runs as it did
        FakeVirsh virsh = FakeVirsh.in(dir).prints(1, "").state("vm1", "shut off (migrated)")
                .state("vm2", "running (booted)");
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> vm2 = new CopyOnWriteArrayList<>();
        LibvirtEvents events = virsh.start(Duration.ofMillis(20));
        try {
            events.follow("vm1", event -> seen.add(event.words()));
            events.follow("vm2", event -> vm2.add(event.words()));
            virsh.go(1);
            await(() -> !seen.isEmpty());
            assertThat(seen).containsExactly("Stopped Migrated");
            Thread.sleep(LibvirtEvents.RESYNC_DELAY.toMillis());
            assertThat(vm2).as("a running guest's state implies no event").isEmpty();
        } finally {
            events.close();
        }
    }

    @Test
    void domainStateSaysTheStateNothingForAnUnknownDomainAndFailsWhenLibvirtCannotBeAsked() throws Exception {
        FakeVirsh virsh = FakeVirsh.in(dir).state("vm1", "running (booted)").state("vm2", "shut off (destroyed)");
        LibvirtEvents events = virsh.start(Duration.ofSeconds(5));
        try {
            assertThat(events.domainState("vm1")).isEqualTo(LibvirtDomains.RUNNING);
            assertThat(events.domainState("vm2")).isEqualTo("shut off");
            assertThat(events.domainState("nosuch")).isEmpty();
            assertThatThrownBy(() -> events.domainState("broken")).isInstanceOf(LibvirtException.class)
                    .hasMessageContaining("domstate broken").hasMessageContaining("failed to connect");
        } finally {
            events.close();
        }
        LibvirtEvents missing = LibvirtEvents.start(new LibvirtConfig(FakeVirsh.URI,
                dir.resolve("no-virsh").toString(), Duration.ofMillis(100)), Duration.ofSeconds(5));
        try {
            assertThatThrownBy(() -> missing.domainState("vm1")).isInstanceOf(LibvirtException.class)
                    .hasMessageContaining("cannot run");
        } finally {
            missing.close();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as("within 10 s").isTrue();
    }
}
