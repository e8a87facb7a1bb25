package io.cutover.agent.libvirt;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Lines as virsh 9.0's {@code event --loop --event lifecycle --timestamp} prints them. */
class LibvirtEventTest {

    @Test
    void readsTheMigrationsEventsWithVirshsTimestamp() {
        LibvirtEvent pause = LibvirtEvent.parse(
                "2026-12-04 16:00:00.123+0000: event 'lifecycle' for domain 'qvm': Suspended Migrated", 42).get();
        assertThat(pause.at()).isEqualTo(Instant.parse("2026-12-04T16:00:00.123Z"));
        assertThat(pause.nanoTime()).isEqualTo(42);
        assertThat(pause.domain()).isEqualTo("qvm");
        assertThat(pause.type()).isEqualTo(LibvirtEvent.Type.SUSPENDED);
        assertThat(pause.detail()).isEqualTo("Migrated");
        assertThat(pause.migrating(LibvirtEvent.Type.SUSPENDED)).isTrue();
        assertThat(pause.migrating(LibvirtEvent.Type.RESUMED)).isFalse();
        assertThat(pause.words()).isEqualTo("Suspended Migrated");

        assertThat(LibvirtEvent.parse("2026-12-04 16:00:00.140+0000: event 'lifecycle' for domain 'qvm': Resumed "
                + "Post-copy", 1).get().migrating(LibvirtEvent.Type.RESUMED)).isTrue();
        LibvirtEvent stop = LibvirtEvent.parse(
                "2026-12-04 16:00:02.001+0000: event 'lifecycle' for domain 'qvm': Stopped Migrated", 2).get();
        assertThat(stop.is(LibvirtEvent.Type.STOPPED, LibvirtEvent.MIGRATED)).isTrue();
        assertThat(stop.is(LibvirtEvent.Type.STOPPED, "Failed")).isFalse();
    }

    @Test
    void readsLinesAsTheLabsLibvirtdPrintedThem() {
        LibvirtEvent resumed = LibvirtEvent.parse(
                "2026-12-04 16:03:19.330+0000: event 'lifecycle' for domain 'qvm': Resumed Unpaused", 5).get();
        assertThat(resumed.at()).isEqualTo(Instant.parse("2026-12-04T16:03:19.330Z"));
        assertThat(resumed.is(LibvirtEvent.Type.RESUMED, "Unpaused")).isTrue();
        assertThat(resumed.migrating(LibvirtEvent.Type.RESUMED)).as("not a migration's resume").isFalse();
        assertThat(LibvirtEvent.parse("2026-12-04 16:03:19.333+0000: event 'lifecycle' for domain 'qvm': Started "
                + "Booted", 6).get().is(LibvirtEvent.Type.STARTED, "Booted")).isTrue();
    }

    @Test
    void readsEveryLifecycleWordAndDetailsOfSeveralWords() {
        String[] lines = {"Defined Added", "Undefined Removed", "Started Booted", "Suspended I/O Error",
            "Resumed Unpaused", "Stopped Destroyed", "Shutdown Finished", "PMSuspended Memory", "Crashed Panicked",
            "Suspended Post-copy Error", "Started Event wakeup", "Stopped Failed"};
        for (String words : lines) {
            LibvirtEvent event = LibvirtEvent.parse("2026-12-04 16:00:00.000+0000: event 'lifecycle' for domain "
                    + "'vm1': " + words, 0).orElseThrow(() -> new AssertionError(words));
            assertThat(event.words()).isEqualTo(words);
        }
        assertThat(LibvirtEvent.parse("2026-12-04 16:00:00.000+0000: event 'lifecycle' for domain 'vm1': "
                + "Suspended I/O Error", 0).get().detail()).isEqualTo("I/O Error");
    }

    @Test
    void aDomainNameWithSpacesAndQuotesIsReadWhole() {
        LibvirtEvent odd = LibvirtEvent.parse("2026-12-04 16:00:00.000+0000: event 'lifecycle' for domain "
                + "'it's a vm': Resumed Migrated", 0).get();
        assertThat(odd.domain()).isEqualTo("it's a vm");
        assertThat(odd.words()).isEqualTo("Resumed Migrated");
    }

    @Test
    void aLineWithoutTimestampIsStampedNow() {
        Instant before = Instant.now();
        LibvirtEvent event = LibvirtEvent.parse("event 'lifecycle' for domain 'vm1': Started Migrated", 7).get();
        assertThat(event.at()).isBetween(before, Instant.now());
        assertThat(event.is(LibvirtEvent.Type.STARTED, LibvirtEvent.MIGRATED)).isTrue();
    }

    @Test
    void everythingElseVirshPrintsIsIgnored() {
        for (String line : new String[] {"", "   ", "event loop timed out", "events received: 3",
            "event loop interrupted", "2026-12-04 16:00:00.000+0000: event 'reboot' for domain 'vm1'",
            "2026-12-04 16:00:00.000+0000: event 'lifecycle' for network default: Started",
            "2026-12-04 16:00:00.000+0000: event 'lifecycle' for domain 'vm1': Exploded Loudly",
            "2026-12-04 16:00:00.000+0000: event 'lifecycle' for domain '': Started Booted",
            "error: Disconnected from qemu:///system due to end of file"}) {
            assertThat(LibvirtEvent.parse(line, 0)).as(line).isEmpty();
        }
    }

    @Test
    void aDomainsStateImpliesTheEventOfAMigrationsCourseOrOfTheGuestsEnd() {
        java.util.Map<String, String> implied = new java.util.LinkedHashMap<>();
        implied.put("paused (migrating)", "Suspended Migrated");
        implied.put("paused (post-copy)", "Suspended Post-copy");
        implied.put("running (migrated)", "Resumed Migrated");
        implied.put("running (migration canceled)", "Resumed Migrated");
        implied.put("shut off (migrated)", "Stopped Migrated");
        implied.put("shut off (destroyed)", "Stopped Destroyed");
        implied.put("crashed (panicked)", "Crashed");
        implied.forEach((state, words) -> assertThat(LibvirtEvent.fromState("vm1", state, 7))
                .as(state).get().extracting(LibvirtEvent::words).isEqualTo(words));
        for (String state : new String[] {"running (booted)", "paused (user)", "running", "", "shut off (saved)"}) {
            assertThat(LibvirtEvent.fromState("vm1", state, 7)).as(state).isEmpty();
        }
    }
}
