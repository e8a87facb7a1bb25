package io.cutover.agent.libvirt;

import io.cutover.agent.config.LibvirtConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LibvirtEvents} running a fake {@code virsh}: a shell script that prints scripted event lines as virsh 9.0
 * does, exits (the supervisor restarts it), and answers {@code domstate}.
 */
class LibvirtEventsTest {
    @TempDir
    Path dir;

    /**
     * A virsh that checks its arguments, then, once the file {@code go} is there, per start prints the lines of {@code
     * run-N} (N counting its starts from 1) and exits; with no such file it waits for its end. {@code domstate} answers from {@code state-DOMAIN}.
     */
    private Path fakeVirsh() throws Exception {
        Path script = dir.resolve("virsh");
        Files.writeString(script, """
                #!/bin/sh
                dir=$(dirname "$0")
                [ "$1" = "-c" ] && [ "$2" = "test:///fake" ] || { echo "error: bad uri $2" >&2; exit 2; }
                shift 2
                case "$*" in
                "event --loop --event lifecycle --timestamp")
                    n=$(($(cat "$dir/starts" 2>/dev/null || echo 0) + 1))
                    echo $n > "$dir/starts"
                    echo "started $n" >&2
                    while [ ! -f "$dir/go" ]; do sleep 0.02; done
                    if [ -f "$dir/run-$n" ]; then cat "$dir/run-$n"; exit 3; fi
                    exec sleep 60 ;;
                "domstate "*)
                    if [ -f "$dir/state-$2" ]; then cat "$dir/state-$2"; echo; exit 0; fi
                    if [ "$2" = broken ]; then echo "error: failed to connect to the hypervisor" >&2; exit 1; fi
                    echo "error: failed to get domain '$2'" >&2; exit 1 ;;
                esac
                echo "error: unexpected $*" >&2; exit 2
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void handsEachDomainItsEventsInOrderAcrossRestartsOfVirsh() throws Exception {
        Path virsh = fakeVirsh();
        Files.writeString(dir.resolve("run-1"), """
                2026-12-04 16:00:00.001+0000: event 'lifecycle' for domain 'vm1': Started Migrated
                2026-12-04 16:00:00.002+0000: event 'lifecycle' for domain 'other': Started Booted

                2026-12-04 16:00:00.003+0000: event 'reboot' for domain 'vm1'
                2026-12-04 16:00:00.004+0000: event 'lifecycle' for domain 'vm1': Suspended Migrated
                """);
        Files.writeString(dir.resolve("run-2"), """
                2026-12-04 16:00:00.005+0000: event 'lifecycle' for domain 'vm1': Stopped Migrated
                """);
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> others = new CopyOnWriteArrayList<>();
        long before = System.nanoTime();
        LibvirtEvents events = LibvirtEvents.start(new LibvirtConfig("test:///fake", virsh.toString(),
                Duration.ofMillis(100)), Duration.ofMillis(50));
        try {
            LibvirtDomains.Subscription vm1 = events.follow("vm1", event -> {
                assertThat(event.nanoTime()).isGreaterThan(before);
                seen.add(event.words());
            });
            events.follow("other", event -> others.add(event.words()));
            Files.writeString(dir.resolve("go"), "");
            await(() -> seen.size() >= 3);
            assertThat(seen).containsExactly("Started Migrated", "Suspended Migrated", "Stopped Migrated");
            assertThat(others).containsExactly("Started Booted");
            assertThat(events.starts()).as("restarted after each exit").isGreaterThanOrEqualTo(2);
            vm1.close();
            vm1.close();
            Files.writeString(dir.resolve("run-3"), "2026-12-04 16:00:00.006+0000: event 'lifecycle' for domain "
                    + "'vm1': Started Booted\n2026-12-04 16:00:00.007+0000: event 'lifecycle' for domain "
                    + "'other': Stopped Destroyed\n");
            await(() -> others.size() >= 2);
            assertThat(seen).as("nothing after the subscription was closed").hasSize(3);
        } finally {
            events.close();
        }
    }

    @Test
    void restartsVirshWhenItExitsAndStopsItOnClose() throws Exception {
        Path virsh = fakeVirsh();
        Files.writeString(dir.resolve("go"), "");
        Files.writeString(dir.resolve("run-1"), "");
        Files.writeString(dir.resolve("run-2"), "");
        Files.writeString(dir.resolve("run-3"), "2026-12-04 16:00:00.001+0000: event 'lifecycle' for domain "
                + "'vm1': Resumed Migrated\n");
        List<LibvirtEvent> seen = new CopyOnWriteArrayList<>();
        LibvirtEvents events = LibvirtEvents.start(new LibvirtConfig("test:///fake", virsh.toString(),
                Duration.ofMillis(100)), Duration.ofMillis(20));
        events.follow("vm1", seen::add);
        try {
            await(() -> events.starts() >= 4);
            assertThat(seen).extracting(LibvirtEvent::words).containsExactly("Resumed Migrated");
            assertThat(seen.get(0).at()).isEqualTo(java.time.Instant.parse("2026-12-04T16:00:00.001Z"));
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
    void domainStateSaysTheStateNothingForAnUnknownDomainAndFailsWhenLibvirtCannotBeAsked() throws Exception {
        Path virsh = fakeVirsh();
        Files.writeString(dir.resolve("state-vm1"), "running");
        Files.writeString(dir.resolve("state-vm2"), "shut off");
        LibvirtEvents events = LibvirtEvents.start(new LibvirtConfig("test:///fake", virsh.toString(),
                Duration.ofMillis(100)), Duration.ofSeconds(5));
        try {
            assertThat(events.domainState("vm1")).isEqualTo(LibvirtDomains.RUNNING);
            assertThat(events.domainState("vm2")).isEqualTo("shut off");
            assertThat(events.domainState("nosuch")).isEmpty();
            assertThatThrownBy(() -> events.domainState("broken")).isInstanceOf(LibvirtException.class)
                    .hasMessageContaining("domstate broken").hasMessageContaining("failed to connect");
        } finally {
            events.close();
        }
        LibvirtEvents missing = LibvirtEvents.start(new LibvirtConfig("test:///fake",
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
