package io.cutover.lab.impl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

class StateJournalTest {

    @Test
    void readsBackWhatWasRecordedInOrder(@TempDir Path dir) {
        StateJournal journal = new StateJournal(dir.resolve("state.jsonl"));
        journal.recordNamespace("lab-x-client");
        journal.recordDaemon("named", dir.resolve("named.pid"));

        assertThat(new StateJournal(journal.file()).entries()).containsExactly(
                new StateJournal.Entry(StateJournal.Kind.NETNS, "lab-x-client", null),
                new StateJournal.Entry(StateJournal.Kind.DAEMON, "named", dir.resolve("named.pid").toString()));
    }

    @Test
    void skipsALineTornByACrash(@TempDir Path dir) throws Exception {
        StateJournal journal = new StateJournal(dir.resolve("state.jsonl"));
        journal.recordNamespace("lab-x-fabric");
        Files.writeString(journal.file(), "{\"kind\":\"NETNS\",\"na", StandardOpenOption.APPEND);

        assertThat(journal.entries()).extracting(StateJournal.Entry::name).containsExactly("lab-x-fabric");
    }

    @Test
    void recordsAfterATornLineLeaveItOut(@TempDir Path dir) throws Exception {
        StateJournal journal = new StateJournal(dir.resolve("state.jsonl"));
        journal.recordNamespace("lab-x-fabric");
        Files.writeString(journal.file(), "{\"kind\":\"NETNS\",\"na", StandardOpenOption.APPEND);
        journal.recordNamespace("lab-x-client");

        assertThat(journal.entries()).extracting(StateJournal.Entry::name)
                .containsExactly("lab-x-fabric", "lab-x-client");
        assertThat(Files.readAllLines(journal.file())).hasSize(2);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(journal.file());
        }
    }

    @Test
    void aMissingJournalIsEmpty(@TempDir Path dir) {
        assertThat(new StateJournal(dir.resolve("none.jsonl")).entries()).isEmpty();
    }
}
