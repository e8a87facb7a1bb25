package io.cutover.sdn.impl;

import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.JournalFormatException;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import io.cutover.sdn.Network;
import io.cutover.sdn.SdnController;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateJournalTest {
    /** A journal as the controller wrote it when switches were named by bridge name. */
    private static final String BY_NAME = """
            {
              "endpoints" : {
                "vm1" : {
                  "endpoint" : {"id" : 5, "name" : "vm1", "network" : 1, "mac" : "02:00:c6:12:00:64",
                                "addresses" : ["198.18.0.100"], "switchName" : "br-a", "port" : "vm1"},
                  "generation" : 0
                }
              },
              "links" : [ {"switchA" : "br-tor", "portA" : "tor-to-a", "switchB" : "br-a", "portB" : "a-to-tor"},
                          {"switchA" : "br-tor", "portA" : "tor-to-b", "switchB" : "br-b", "portB" : "b-to-tor"} ],
              "moves" : {
                "3" : {"id" : 3, "endpoint" : "vm1", "fromSwitch" : "br-b", "fromPort" : "vm1", "fromGeneration" : 0,
                       "toSwitch" : "br-a", "toPort" : "vm1", "forwarderPort" : null, "state" : "CLEANED"}
              },
              "nextMoveId" : 4
            }""";

    @TempDir
    Path dir;

    @Test
    void roundTripsWithItsFormat() throws Exception {
        StateJournal journal = new StateJournal(dir);
        ModelState model = FlowPlannerTest.lan();
        journal.save(model);
        assertThat(Files.readString(dir.resolve(StateJournal.FILE))).contains("\"format\" : 2")
                .contains("\"switch\" : \"00000000000000a0\"");
        assertThat(new StateJournal(dir).load()).isEqualTo(model);
    }

    @Test
    void aChangeAfterTheSnapshotIsOneLineOfTheLogAndSurvivesAReopen() throws Exception {
        ModelState model = FlowPlannerTest.lan();
        try (StateJournal journal = new StateJournal(dir)) {
            journal.load();
            journal.save(model);
        }
        String snapshot = Files.readString(dir.resolve(StateJournal.FILE));
        Move move = new Move(7, "vm1", FlowPlannerTest.VM.switchId(), "vm1", 0, Dpid.of(0xb0), "vm1", null,
                MoveState.PREPARED);
        ModelState moved = model.withMove(move).withEndpoint(new ModelState.Placed(new io.cutover.sdn.Endpoint(5,
                "vm1", 1, FlowPlannerTest.VM.mac(), FlowPlannerTest.VM.addresses(), Dpid.of(0xb0), "vm1"), 1));
        ModelState withNetwork = moved.withoutEndpoint("client").withNetwork(new Network(1, 5001, "tenant-a"));
        try (StateJournal journal = new StateJournal(dir)) {
            assertThat(journal.load()).isEqualTo(model);
            journal.save(moved);
            journal.save(withNetwork);
        }
        assertThat(Files.readString(dir.resolve(StateJournal.FILE))).as("the snapshot is not rewritten")
                .isEqualTo(snapshot);
        java.util.List<String> lines;
        try (io.cutover.support.AppendLog log = io.cutover.support.AppendLog.open(dir.resolve(StateJournal.LOG))) {
            lines = log.lines();
        }
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).as("the moved endpoint and the moves, not the client or the links")
                .startsWith("2 {\"moves\"").contains("\"vm1\"").doesNotContain("\"client\"").contains("\"links\":null");
        assertThat(lines.get(1)).contains("\"removed\":[\"client\"]").contains("tenant-a");
        try (StateJournal journal = new StateJournal(dir)) {
            assertThat(journal.load()).isEqualTo(withNetwork);
        }
    }

    @Test
    void aChangeOfManyEndpointsWritesTheStateWholeAndEmptiesTheLog() throws Exception {
        ModelState model = FlowPlannerTest.lan();
        try (StateJournal journal = new StateJournal(dir)) {
            journal.load();
            journal.save(model);
            journal.save(model.withMove(new Move(1, "vm1", FlowPlannerTest.VM.switchId(), "vm1", 0, Dpid.of(0xb0),
                    "vm1", null, MoveState.PREPARED)));
            assertThat(Files.readString(dir.resolve(StateJournal.LOG))).contains(" 2 {\"moves\"");
            java.util.List<ModelState.Placed> many = new java.util.ArrayList<>();
            for (int i = 0; i <= StateJournal.SNAPSHOT_ABOVE_ENDPOINTS; i++) {
                many.add(new ModelState.Placed(new io.cutover.sdn.Endpoint(100 + i, "e" + i, 1,
                        String.format("02:00:00:00:%02x:%02x", i >> 8, i & 0xff), java.util.List.of(),
                        Dpid.of(0xb0), "p" + i), 0));
            }
            model = model.withEndpoints(many);
            journal.save(model);
        }
        try (io.cutover.support.AppendLog log = io.cutover.support.AppendLog.open(dir.resolve(StateJournal.LOG))) {
            assertThat(log.lines()).as("the log emptied").isEmpty();
        }
        assertThat(Files.readString(dir.resolve(StateJournal.FILE))).contains("\"seq\" : 3");
        try (StateJournal journal = new StateJournal(dir)) {
            assertThat(journal.load()).isEqualTo(model);
        }
    }

    @Test
    void changesTheSnapshotAlreadyHoldsAreNotReplayed() throws Exception {
        ModelState model = FlowPlannerTest.lan();
        try (StateJournal journal = new StateJournal(dir)) {
            journal.load();
            journal.save(model);
            journal.save(model.withoutEndpoint("client"));
        }
        byte[] log = Files.readAllBytes(dir.resolve(StateJournal.LOG));
        // a crash after a snapshot that holds change 2 was written, before the log was emptied
        ModelState later = model.withoutEndpoint("client").withoutEndpoint("vm1");
        Files.writeString(dir.resolve(StateJournal.FILE), Files.readString(dir.resolve(StateJournal.FILE))
                .replace("\"seq\" : 1", "\"seq\" : 2").replaceAll("(?s)\"client\" : \\{.*?\"generation\" : 0\\s*},?", ""));
        Files.write(dir.resolve(StateJournal.LOG), log);
        try (StateJournal journal = new StateJournal(dir)) {
            assertThat(journal.load().endpoints()).containsOnlyKeys("vm1");
            journal.save(later);
        }
        try (StateJournal journal = new StateJournal(dir)) {
            assertThat(journal.load()).isEqualTo(later);
        }
    }

    @Test
    void networksRoundTripAndGiveTheirVni() throws Exception {
        StateJournal journal = new StateJournal(dir);
        ModelState model = FlowPlannerTest.lan().withNetwork(new Network(1, 5001, "tenant-a"))
                .withNetwork(new Network(2, 5002, "tenant-b"));
        journal.save(model);
        assertThat(Files.readString(dir.resolve(StateJournal.FILE))).contains("\"networks\" : {")
                .contains("\"vni\" : 5002");
        ModelState loaded = new StateJournal(dir).load();
        assertThat(loaded).isEqualTo(model);
        assertThat(loaded.networks().get(2)).isEqualTo(new Network(2, 5002, "tenant-b"));
        assertThat(loaded.vni(1)).isEqualTo(5001);
        assertThat(loaded.vni(3)).as("a network that is not defined: its id").isEqualTo(3);
        assertThat(loaded.withoutNetwork(1).vni(1)).isEqualTo(1);
    }

    @Test
    void aJournalWrittenBeforeNetworksWereObjectsLoadsWithNone() throws Exception {
        StateJournal journal = new StateJournal(dir);
        journal.save(FlowPlannerTest.lan());
        String written = Files.readString(dir.resolve(StateJournal.FILE));
        String older = written.replaceAll(",\\s*\"networks\" : \\{\\s*}", "");
        assertThat(older).as("the test removed the field").doesNotContain("networks").contains("\"format\" : 2");
        Files.writeString(dir.resolve(StateJournal.FILE), older);
        ModelState loaded = new StateJournal(dir).load();
        assertThat(loaded.networks()).isEmpty();
        assertThat(loaded).isEqualTo(FlowPlannerTest.lan());
        assertThat(loaded.vni(1)).isEqualTo(1);
    }

    @Test
    void aJournalWithABadNetworkIsRefusedNamingIt() throws Exception {
        Files.writeString(dir.resolve(StateJournal.FILE), "{\"format\":2,\"endpoints\":{},\"links\":[],\"moves\":{},"
                + "\"nextMoveId\":1,\"networks\":{\"4\":{\"id\":4,\"vni\":0,\"name\":\"x\"}}}");
        assertThatThrownBy(() -> new StateJournal(dir).load()).isInstanceOf(io.cutover.sdn.SdnException.class)
                .hasMessageContaining("network 4: vni 0 is outside 1..16777215");
    }

    @Test
    void aJournalThatNamesSwitchesByBridgeNameIsRefusedWithWhatToDo() throws Exception {
        Files.writeString(dir.resolve(StateJournal.FILE), BY_NAME);
        assertThatThrownBy(() -> new StateJournal(dir).load()).isInstanceOfSatisfying(JournalFormatException.class,
                        e -> assertThat(e.bridgeNames()).containsExactly("br-a", "br-b", "br-tor"))
                .hasMessageContaining("named switches by bridge name (br-a, br-b, br-tor)")
                .hasMessageContaining("cutover sdn migrate-state --state " + dir + " --switch br-a=DPID")
                .hasMessageContaining("ovs-vsctl get Bridge NAME datapath_id");
        assertThatThrownBy(() -> SdnController.start(ControllerOptions.builder().port(0).stateDir(dir).build()))
                .isInstanceOf(JournalFormatException.class);
    }

    @Test
    void anEmptyJournalOfTheOldFormatIsRead() throws Exception {
        Files.writeString(dir.resolve(StateJournal.FILE),
                "{\"endpoints\":{},\"links\":[],\"moves\":{},\"nextMoveId\":1}");
        assertThat(new StateJournal(dir).load()).isEqualTo(ModelState.empty());
    }

    @Test
    void aJournalOfANewerFormatIsRefused() throws Exception {
        Files.writeString(dir.resolve(StateJournal.FILE), "{\"format\":3}");
        assertThatThrownBy(() -> new StateJournal(dir).load()).isInstanceOf(JournalFormatException.class)
                .hasMessageContaining("newer controller");
    }

    @Test
    void migrationNamesEverySwitchByItsDatapathIdAndKeepsTheOldFile() throws Exception {
        Files.writeString(dir.resolve(StateJournal.FILE), BY_NAME);
        StateJournal journal = new StateJournal(dir);
        assertThatThrownBy(() -> journal.migrate(Map.of("br-a", Dpid.of(0xa0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("br-b, br-tor");

        ModelState migrated = journal.migrate(Map.of("br-a", Dpid.of(0xa0), "br-b", Dpid.of(0xb0),
                "br-tor", Dpid.of(0xf0)));

        assertThat(migrated.endpoints().get("vm1").endpoint().switchId()).isEqualTo(Dpid.of(0xa0));
        assertThat(migrated.links()).isEqualTo(FlowPlannerTest.lan().links());
        assertThat(migrated.moves().get(3).fromSwitch()).isEqualTo(Dpid.of(0xb0));
        assertThat(migrated.moves().get(3).state()).isEqualTo(MoveState.CLEANED);
        assertThat(migrated.nextMoveId()).isEqualTo(4);
        assertThat(new StateJournal(dir).load()).isEqualTo(migrated);
        assertThat(Files.readString(dir.resolve(StateJournal.FILE + StateJournal.PRE_MIGRATION_SUFFIX)))
                .isEqualTo(BY_NAME);
    }
}
