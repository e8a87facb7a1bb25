package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.ddns.PendingUpdate;
import io.cutover.ddns.RecordState;
import io.cutover.ddns.RrsetChange;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code dns show --json}: what the server holds, as one object a script parses; {@code dns queue}: tables with
 * headers (DnsCliIT asks a real BIND).
 */
class DnsListingsTest {
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

    @Test
    void theQueueIsACountThenTablesWithHeaders() throws Exception {
        RrsetChange change = RrsetChange.switchAddress("vm1.vms.cutover.test.", InetAddress.getByName("198.18.0.100"),
                InetAddress.getByName("198.18.0.177"), Duration.ofSeconds(300));
        StringWriter text = new StringWriter();
        DnsCommand.queueText(new PrintWriter(text), List.of(new PendingUpdate(7, Instant.parse("2026-12-04T16:00:00Z"),
                "vms.cutover.test.", "c-1", List.of(change))), Map.of("vm1.vms.cutover.test.", Duration.ofSeconds(300)));
        List<String> lines = text.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("1 pending update(s)");
        assertThat(lines.get(1)).matches("ID +QUEUED +ZONE +CHANGES");
        assertThat(lines.get(2)).startsWith("#7  2026-12-04T16:00:00Z  vms.cutover.test.  ").contains("198.18.0.177");
        assertThat(lines.get(3)).isEmpty();
        assertThat(lines.get(4)).matches("NAME +REMEMBERED TTL");
        assertThat(lines.get(5)).matches("vm1\\.vms\\.cutover\\.test\\. +300s");

        StringWriter empty = new StringWriter();
        DnsCommand.queueText(new PrintWriter(empty), List.of(), Map.of());
        assertThat(empty.toString()).isEqualTo("0 pending update(s)" + System.lineSeparator());
    }
}
