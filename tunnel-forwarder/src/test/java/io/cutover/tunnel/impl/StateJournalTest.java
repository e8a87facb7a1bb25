package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StateJournalTest {
    @TempDir
    Path dir;

    private static MoveSpec spec(String id) throws Exception {
        return MoveSpec.builder(id, 4343).role(Role.SOURCE).vmMac("02:00:c6:12:00:64")
                .vmAddresses(List.of(InetAddress.getByName("198.18.0.100")))
                .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)).iface("unused").insecurePlain(true).build();
    }

    private static StateJournal.Entry entry(String id, MoveState state, long forwarded) throws Exception {
        return new StateJournal.Entry(spec(id), state, null, 0, 0, Map.of("forwarded", forwarded),
                Map.of(DropReason.REPLAYED, 0L));
    }

    @Test
    void aHoldIsOneLineOfTheLogAndTheRestartReadsTheMovesAsTheyWereLastWritten() throws Exception {
        try (StateJournal journal = new StateJournal(dir)) {
            assertThat(journal.read()).isEmpty();
            journal.write(List.of(entry("a", MoveState.PLANNED, 0), entry("b", MoveState.FORWARDING, 7)));
        }
        String whole = Files.readString(dir.resolve(StateJournal.FILE));
        try (StateJournal journal = new StateJournal(dir)) {
            assertThat(journal.read()).extracting(StateJournal.Entry::state)
                    .containsExactly(MoveState.PLANNED, MoveState.FORWARDING);
            journal.write(List.of(entry("a", MoveState.HOLDING, 0), entry("b", MoveState.FORWARDING, 7)));
            journal.write(List.of(entry("a", MoveState.HOLDING, 0)));
        }
        assertThat(Files.readString(dir.resolve(StateJournal.FILE))).as("not written whole again").isEqualTo(whole);
        String log = Files.readString(dir.resolve(StateJournal.LOG));
        assertThat(log).contains("\"HOLDING\"").contains("\"removed\":[\"b\"]");
        assertThat(log.lines().filter(line -> !line.isBlank() && line.charAt(0) != 0).count())
                .as("one line a change; the unchanged move b not in the first").isEqualTo(2);
        try (StateJournal journal = new StateJournal(dir)) {
            List<StateJournal.Entry> read = journal.read();
            assertThat(read).hasSize(1);
            assertThat(read.get(0).spec().id()).isEqualTo("a");
            assertThat(read.get(0).state()).isEqualTo(MoveState.HOLDING);
        }
    }

    @Test
    void changesTheWholeJournalAlreadyHoldsAreNotReplayed() throws Exception {
        try (StateJournal journal = new StateJournal(dir)) {
            journal.read();
            journal.write(List.of(entry("a", MoveState.PLANNED, 0)));
            journal.write(List.of(entry("a", MoveState.HOLDING, 0)));
        }
        byte[] log = Files.readAllBytes(dir.resolve(StateJournal.LOG));
        // a crash after the whole journal was written with change 2 and a later state, before the log was emptied
        Files.writeString(dir.resolve(StateJournal.FILE), Files.readString(dir.resolve(StateJournal.FILE))
                .replace("\"seq\" : 1", "\"seq\" : 2").replace("\"PLANNED\"", "\"FORWARDING\""));
        Files.write(dir.resolve(StateJournal.LOG), log);
        try (StateJournal journal = new StateJournal(dir)) {
            assertThat(journal.read().get(0).state()).as("not taken back to HOLDING").isEqualTo(MoveState.FORWARDING);
        }
    }
}
