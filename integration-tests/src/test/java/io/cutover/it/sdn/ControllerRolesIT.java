package io.cutover.it.sdn;

import io.cutover.demo.SdnLabFabric;
import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.sdn.ControllerRole;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.NotMasterException;
import io.cutover.sdn.OpenFlowErrorException;
import io.cutover.sdn.SdnController;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.types.OFPort;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two controllers on one real Open vSwitch bridge, as a controller cluster runs them: OpenFlow 1.3 role requests with
 * generation ids decide which one writes. The slave's writes are refused by the switch itself; a new master with a
 * newer generation takes over without a flow changing, and the deposed master can neither write nor come back with its
 * old generation.
 */
class ControllerRolesIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    private static final String BRIDGE = "br-roles";
    private static final Dpid DPID = Dpid.parse("00000000000000e2");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<SdnController> controllers = new ArrayList<>();

    @AfterEach
    void stop() {
        controllers.forEach(SdnController::close);
        LAB.lab().vsctl("--if-exists", "del-br", BRIDGE);
    }

    @Test
    void onlyTheNewestMasterWritesAndATakeoverChangesNoFlow(@TempDir Path dir) throws Exception {
        Lab lab = LAB.lab();
        lab.vsctl("add-br", BRIDGE, "--", "set", "bridge", BRIDGE, "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13", "other-config:datapath-id=" + DPID.toString()).orThrow();
        for (int port = 1; port <= 3; port++) {
            lab.vsctl("add-port", BRIDGE, "p" + port, "--", "set", "interface", "p" + port, "type=internal",
                    "ofport_request=" + port).orThrow();
        }
        Path stateA = Files.createDirectories(dir.resolve("a"));
        SdnController first = start(lab, stateA, ControllerRole.MASTER, 1);
        SdnLabFabric.attach(lab, first.address().getPort(), List.of(BRIDGE));
        await(first.awaitSwitches(List.of(DPID), WAIT));
        await(first.putEndpoints(List.of(
                new Endpoint(1, "vm1", 1, "02:00:00:00:e2:01", List.of(), DPID, "p1"),
                new Endpoint(2, "vm2", 1, "02:00:00:00:e2:02", List.of(), DPID, "p2"))));

        // the second controller starts as a slave from the same desired state (a shared store's, in a cluster)
        Path stateB = Files.createDirectories(dir.resolve("b"));
        try (Stream<Path> files = Files.list(stateA)) {
            for (Path file : files.toList()) {
                Files.copy(file, stateB.resolve(file.getFileName()));
            }
        }
        SdnController second = start(lab, stateB, ControllerRole.SLAVE, 1);
        lab.vsctl("set-controller", BRIDGE, target(first), target(second)).orThrow();
        await(second.awaitSwitches(List.of(DPID), WAIT));

        assertThat(openFlowError(second.sendFlowMods(DPID, List.of(dropFrom(3))))).as("the slave's write")
                .isEqualTo("IS_SLAVE");
        assertThatThrownBy(() -> await(second.putEndpoint(
                new Endpoint(3, "vm3", 1, "02:00:00:00:e2:03", List.of(), DPID, "p3"))))
                .hasCauseInstanceOf(NotMasterException.class);

        String before = flows(lab);
        await(second.takeRole(ControllerRole.MASTER, 2));
        assertThat(flows(lab)).as("the flows after the takeover").isEqualTo(before).contains("02:00:00:00:e2:02");
        assertThat(openFlowError(first.sendFlowMods(DPID, List.of(dropFrom(3))))).as("the deposed master's write")
                .isEqualTo("IS_SLAVE");
        assertThatThrownBy(() -> await(first.takeRole(ControllerRole.MASTER, 1)))
                .as("the deposed master, back with its old generation").hasCauseInstanceOf(NotMasterException.class)
                .hasMessageContaining("STALE");
        assertThat(first.role()).isEqualTo(ControllerRole.SLAVE);

        await(second.putEndpoint(new Endpoint(3, "vm3", 1, "02:00:00:00:e2:03", List.of(), DPID, "p3")));
        assertThat(flows(lab)).as("the new master writes").contains("02:00:00:00:e2:03");
    }

    private SdnController start(Lab lab, Path state, ControllerRole role, long generation) {
        SdnController controller = SdnController.start(SdnLabFabric.options(lab).port(0).stateDir(state)
                .role(role, generation).build());
        controllers.add(controller);
        return controller;
    }

    private static String target(SdnController controller) {
        return "tcp:" + Topology.CONTROLLER_ADDRESS + ":" + controller.address().getPort();
    }

    /** A flow of nobody's cookie that drops what port {@code port} admits. */
    private static OFFlowMod dropFrom(int port) {
        return SdnController.factory().buildFlowAdd().setTableId(org.projectfloodlight.openflow.types.TableId.of(0))
                .setPriority(10).setMatch(SdnController.factory().buildMatch()
                        .setExact(org.projectfloodlight.openflow.protocol.match.MatchField.IN_PORT, OFPort.of(port))
                        .build()).build();
    }

    /** The code of the OpenFlow error the switch answered {@code sent} with. */
    private static String openFlowError(CompletionStage<Void> sent) throws Exception {
        try {
            sent.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OpenFlowErrorException refused) {
                return refused.errorCode();
            }
            throw e;
        }
        throw new AssertionError("the switch accepted the write");
    }

    private static String flows(Lab lab) {
        return lab.ofctl("-O", "OpenFlow13", "--no-stats", "dump-flows", BRIDGE).orThrow().stdout();
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
