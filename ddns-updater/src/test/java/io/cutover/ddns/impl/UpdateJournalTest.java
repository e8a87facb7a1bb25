package io.cutover.ddns.impl;

import io.cutover.ddns.PendingUpdate;
import io.cutover.ddns.RrsetChange;
import io.cutover.support.AppendLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpdateJournalTest {
    @TempDir
    Path dir;

    private static final List<RrsetChange> CHANGES = List.of(
            new RrsetChange("vm1.vms.cutover.test.", "A", Duration.ofSeconds(30), List.of("198.18.0.1"), List.of("198.18.0.2")),
            new RrsetChange("vm1.vms.cutover.test.", "TXT", RrsetChange.KEEP_TTL, List.of(), List.of("\"a b, c; d\"")));

    @Test
    void pendingUpdatesSurviveAReopenAndDoneOnesDoNot() {
        long first;
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            first = journal.add("vms.cutover.test.", "agent-a", CHANGES).id();
            long second = journal.add(null, null, CHANGES.subList(0, 1)).id();
            journal.add("vms.cutover.test.", null, CHANGES.subList(0, 1));
            journal.done(second, "applied");
        }
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            List<PendingUpdate> pending = journal.pending();
            assertThat(pending).hasSize(2);
            PendingUpdate update = pending.get(0);
            assertThat(update.id()).isEqualTo(first);
            assertThat(update.zone()).isEqualTo("vms.cutover.test.");
            assertThat(update.owner()).isEqualTo("agent-a");
            assertThat(update.changes()).isEqualTo(CHANGES);
            assertThat(pending.get(1).zone()).isEqualTo("vms.cutover.test.");
            long next = journal.add(null, null, CHANGES).id();
            assertThat(next).isGreaterThan(pending.get(1).id());
        }
    }

    @Test
    void thePreallocatedFileKeepsEveryLineAcrossItsGrowthAndAReopen() throws Exception {
        Path file = dir.resolve(UpdateJournal.FILE);
        List<Long> kept = new java.util.ArrayList<>();
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            long preallocated = Files.size(file);
            assertThat(preallocated).as("preallocated").isGreaterThanOrEqualTo(AppendLog.PREALLOCATE);
            while (Files.size(file) <= preallocated) {
                List<PendingUpdate> added = journal.addAll("vms.cutover.test.", "agent-a", java.util.Collections.nCopies(100, CHANGES));
                kept.add(added.get(0).id());
                added.subList(1, added.size()).forEach(update -> journal.doneUnsynced(update.id(), "applied"));
            }
            kept.add(journal.add(null, null, CHANGES).id());
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes[bytes.length - 1]).as("zeros after the last line").isZero();
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            assertThat(journal.pending()).extracting(PendingUpdate::id).containsExactlyElementsOf(kept);
            assertThat(journal.pending().get(0).changes()).isEqualTo(CHANGES);
            long next = journal.add(null, null, CHANGES).id();
            assertThat(next).isGreaterThan(kept.get(kept.size() - 1));
        }
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            assertThat(journal.pending()).hasSize(kept.size() + 1);
        }
    }

    @Test
    void aLineTornInsideThePreallocatedZerosIsIgnored() throws Exception {
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            journal.add(null, null, CHANGES);
            journal.add(null, null, CHANGES);
        }
        Path file = dir.resolve(UpdateJournal.FILE);
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        int lastLine = text.lastIndexOf('\n', text.indexOf('\0') - 2) + 1;
        java.util.Arrays.fill(bytes, lastLine + 20, text.indexOf('\0'), (byte) 0);
        Files.write(file, bytes);
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            assertThat(journal.pending()).extracting(PendingUpdate::id).containsExactly(1L);
            assertThat(journal.add(null, null, CHANGES).id()).isGreaterThan(1L);
        }
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            assertThat(journal.pending()).extracting(PendingUpdate::id).hasSize(2).contains(1L);
        }
    }

    @Test
    void idsKeepGrowingAfterEverythingIsDone() {
        long id;
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            id = journal.add(null, null, CHANGES).id();
            journal.done(id, "applied");
        }
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            assertThat(journal.pending()).isEmpty();
            assertThat(journal.add(null, null, CHANGES).id()).isGreaterThan(id);
        }
    }

    @Test
    void aTornLastLineAndACorruptedLineAreIgnored() throws Exception {
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            journal.add(null, null, CHANGES);
            journal.add(null, null, CHANGES);
        }
        Path file = dir.resolve(UpdateJournal.FILE);
        List<String> lines = Files.readAllLines(file);
        String corrupted = lines.get(1).replace("198.18.0.1", "198.18.0.9");
        String torn = withCrc("D 2 applied").substring(0, 10);
        Files.writeString(file, lines.get(0) + "\n" + corrupted + "\n" + lines.get(2) + "\n" + torn, StandardCharsets.UTF_8);
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            assertThat(journal.pending()).extracting(PendingUpdate::id).containsExactly(2L);
        }
    }

    @Test
    void randomGarbageNeverStopsTheJournalFromOpening() throws Exception {
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 50; i++) {
            byte[] garbage = new byte[random.nextInt(300)];
            random.nextBytes(garbage);
            Files.write(dir.resolve(UpdateJournal.FILE), garbage);
            try (UpdateJournal journal = UpdateJournal.open(dir)) {
                assertThat(journal.pending()).isEmpty();
            }
        }
        Files.writeString(dir.resolve(UpdateJournal.FILE), withCrc("P 1 2 - - broken"), StandardOpenOption.APPEND);
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            assertThat(journal.pending()).isEmpty();
        }
    }

    @Test
    void remembersTheFirstLoweredTtlUntilItIsForgotten() {
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            assertThat(journal.rememberTtl("a.b.", Duration.ofSeconds(300))).isEqualTo(Duration.ofSeconds(300));
            assertThat(journal.rememberTtl("a.b.", Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(300));
            journal.rememberTtl("c.d.", Duration.ofSeconds(60));
            journal.forgetTtl("c.d.");
        }
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            assertThat(journal.rememberedTtl("a.b.")).contains(Duration.ofSeconds(300));
            assertThat(journal.rememberedTtl("c.d.")).isEmpty();
        }
    }

    @Test
    void aSecondOpenOfTheSameJournalIsRefused() {
        try (UpdateJournal journal = UpdateJournal.open(dir)) {
            assertThatThrownBy(() -> UpdateJournal.open(dir)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use");
        }
    }

    /** A journal line as the journal writes it: the CRC-32 of its text first. */
    private static String withCrc(String body) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return java.util.HexFormat.of().toHexDigits((int) crc.getValue()) + " " + body + "\n";
    }
}
