package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.ddns.RecordState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dns show --json}: what the server holds, as one object a script parses (DnsCliIT asks a real BIND). */
class DnsShowJsonTest {
    @Test
    void theRecordsAndTheOwnerAreArraysEvenWhenEmpty() throws Exception {
        RecordState held = new RecordState("198.18.0.53:53", "vms.cutover.test.", 2026120401,
                List.of("A 300 198.18.0.100", "TXT 300 \"a, b\""), List.of("cutover c-1"));
        JsonNode json = new ObjectMapper().readTree(DnsCommand.showJson("vm1.vms.cutover.test.", held).toString());
        assertThat(json.path("name").asText()).isEqualTo("vm1.vms.cutover.test.");
        assertThat(json.path("server").asText()).isEqualTo("198.18.0.53:53");
        assertThat(json.path("serial").asLong()).isEqualTo(2026120401L);
        assertThat(json.path("rrsets")).hasSize(2);
        assertThat(json.path("rrsets").get(1).asText()).isEqualTo("TXT 300 \"a, b\"");
        assertThat(json.path("owner").get(0).asText()).isEqualTo("cutover c-1");

        JsonNode none = DnsCommand.showJson("gone.vms.cutover.test.",
                new RecordState("198.18.0.53:53", "vms.cutover.test.", 7, List.of(), List.of()));
        assertThat(none.path("rrsets").isArray() && none.path("rrsets").isEmpty()).isTrue();
        assertThat(none.path("owner").isArray() && none.path("owner").isEmpty()).isTrue();
    }
}
