package io.cutover.sdn.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.SdnController;
import io.cutover.sdn.TestSwitch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hypervisors' switches both called {@code br-int} (two switch sessions over real TCP, with different datapath
 * ids) are two switches: both served, each addressed by its datapath id through REST, a move between them lands on the
 * right one, and their shared name alone is refused as ambiguous.
 */
class SameBridgeNameTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOST_A = "00000000000000a1";
    private static final String HOST_B = "00000000000000b2";
    private static final String VM_MAC = "02:00:c6:12:00:64";

    SdnController sdn;
    SdnRestServer rest;
    TestSwitch hostA;
    TestSwitch hostB;
    HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        sdn = SdnController.start(ControllerOptions.builder().bindAddress("127.0.0.1").port(0).bundles(false).build());
        rest = SdnRestServer.start(sdn, "127.0.0.1", 0);
        hostA = TestSwitch.connect(sdn.address(), 0xa1L, "br-int", Map.of("vm1", 3, "uplink", 1));
        hostB = TestSwitch.connect(sdn.address(), 0xb2L, "br-int", Map.of("vm1", 7, "uplink", 1));
        sdn.awaitSwitches(List.of(Dpid.parse(HOST_A), Dpid.parse(HOST_B)), Duration.ofSeconds(10))
                .toCompletableFuture().join();
    }

    @AfterEach
    void stop() throws Exception {
        hostA.close();
        hostB.close();
        rest.close();
        sdn.close();
    }

    @Test
    void bothAreServedAndAddressedByTheirDatapathIds() throws Exception {
        JsonNode switches = JSON.readTree(call("GET", "/v1/switches", null).body());
        assertThat(switches).hasSize(2);
        assertThat(switches.findValuesAsText("dpid")).containsExactly(HOST_A, HOST_B);
        assertThat(switches.findValuesAsText("name")).containsExactly("br-int", "br-int");
        assertThat(sdn.refusedSessions()).isZero();

        HttpResponse<String> ambiguous = call("GET", "/v1/switches/br-int/ports", null);
        assertThat(ambiguous.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(ambiguous.body()).get("detail").asText()).contains(HOST_A).contains(HOST_B)
                .contains("datapath id");
        assertThat(JSON.readTree(call("GET", "/v1/switches/" + HOST_B + "/ports", null).body()).get("vm1").asInt())
                .isEqualTo(7);
        assertThat(JSON.readTree(call("GET", "/v1/switches/0xa1/ports", null).body()).get("vm1").asInt()).isEqualTo(3);

        assertThat(call("PUT", "/v1/links", "[{\"switchA\":\"0xa1\",\"portA\":\"uplink\",\"switchB\":\"0xb2\","
                + "\"portB\":\"uplink\"}]").statusCode()).isEqualTo(200);
        HttpResponse<String> created = call("POST", "/v1/endpoints", "{\"id\":5,\"name\":\"vm1\",\"network\":1,"
                + "\"mac\":\"" + VM_MAC + "\",\"switch\":\"" + HOST_A + "\",\"port\":\"vm1\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        await(() -> outputFor(hostA) == 3 && outputFor(hostB) == 1, "vm1 reached on host A's port 3, from B by uplink");

        JsonNode move = JSON.readTree(call("POST", "/v1/moves", "{\"endpoint\":\"vm1\",\"toSwitch\":\"" + HOST_B
                + "\",\"toPort\":\"vm1\"}").body());
        assertThat(move.get("fromSwitch").asText()).isEqualTo(HOST_A);
        assertThat(move.get("toSwitch").asText()).isEqualTo(HOST_B);
        HttpResponse<String> committed = call("POST", "/v1/moves/" + move.get("id").asInt() + "/commit", null);
        assertThat(committed.statusCode()).as(committed.body()).isEqualTo(200);
        await(() -> outputFor(hostB) == 7 && outputFor(hostA) == 1, "vm1 reached on host B's port 7, from A by uplink");

        assertThat(JSON.readTree(call("GET", "/v1/endpoints/vm1", null).body()).get("switch").asText()).isEqualTo(HOST_B);
        JsonNode desiredOnB = JSON.readTree(call("GET", "/v1/switches/" + HOST_B + "/flows?desired=true", null).body());
        assertThat(desiredOnB.findValuesAsText("switch")).containsOnly(HOST_B);
        assertThat(desiredOnB.findValuesAsText("instructions")).contains("output:7");
    }

    @Test
    void aThirdSessionClaimingAConnectedDatapathIdIsRefusedAndCounted() throws Exception {
        try (TestSwitch impostor = TestSwitch.connect(sdn.address(), 0xa1L, "br-int", Map.of("vm1", 9))) {
            await(impostor::closedByPeer, "the second session for " + HOST_A + " closed");
        }
        assertThat(sdn.refusedSessions()).isEqualTo(1);
        assertThat(hostA.closedByPeer()).isFalse();
        assertThat(JSON.readTree(call("GET", "/v1/switches/" + HOST_A + "/ports", null).body()).get("vm1").asInt())
                .isEqualTo(3);
    }

    /**
     * The port the VM's unicast leaves {@code sw} by, from the flow-mods it received: the last flow for the VM's MAC
     * still there, else its network's default; -1 if neither.
     */
    private static int outputFor(TestSwitch sw) {
        int own = -1;
        int byDefault = -1;
        for (OFFlowMod mod : sw.flowMods()) {
            Match match = mod.getMatch();
            if (match.isExact(MatchField.IN_PORT) || !match.isExact(MatchField.METADATA)) {
                continue;
            }
            boolean forVm = match.isExact(MatchField.ETH_DST) && match.get(MatchField.ETH_DST).toString().equals(VM_MAC);
            boolean isDefault = !match.isPartiallyMasked(MatchField.ETH_DST) && !match.isExact(MatchField.ETH_DST);
            if (forVm) {
                own = mod.getCommand() == OFFlowModCommand.DELETE_STRICT ? -1 : port(mod);
            } else if (isDefault && mod.getCommand() != OFFlowModCommand.DELETE_STRICT) {
                byDefault = port(mod);
            }
        }
        return own != -1 ? own : byDefault;
    }

    private static int port(OFFlowMod mod) {
        Matcher m = Pattern.compile("port=(\\d+)").matcher(mod.getInstructions().toString());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rest.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json").build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
