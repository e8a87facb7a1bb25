package io.cutover.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MigrationReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static MigrationProgress progress(double mbps) {
        return new MigrationProgress("m-1 \"quoted\"\n", MigrationState.COMPLETED, 3, Duration.ofNanos(1_234_567_891),
                Duration.ofNanos(12_345_500), Duration.ZERO, Duration.ofMillis(300), 10, 0, 4096, 7, mbps, 20, 5, 6,
                100, 2, 50);
    }

    @Test
    void progressIsJsonWithDurationsInMillisecondsToTheMicrosecond() throws Exception {
        JsonNode json = JSON.readTree(progress(123.45678).toJson());

        assertThat(json.path("migrationId").asText()).isEqualTo("m-1 \"quoted\"\n");
        assertThat(json.path("state").asText()).isEqualTo("COMPLETED");
        assertThat(json.path("totalTimeMs").decimalValue()).isEqualByComparingTo("1234.568");
        assertThat(json.path("downtimeMs").decimalValue()).isEqualByComparingTo("12.346");
        assertThat(json.path("expectedDowntimeMs").decimalValue()).isEqualByComparingTo("0");
        assertThat(json.path("mbps").decimalValue()).isEqualByComparingTo("123.457");
        assertThat(json.path("deltaSavedBytes").asLong()).isEqualTo(50);
        assertThat(json.size()).isEqualTo(18);
    }

    @Test
    void anUnknownRateIsNull() throws Exception {
        assertThat(JSON.readTree(progress(Double.NaN).toJson()).get("mbps").isNull()).isTrue();
    }

    @Test
    void reportIsJsonWithItsProgressAndTimeline() throws Exception {
        long start = 5_000_000_000L;
        MigrationReport report = new MigrationReport(progress(1), SwitchoverReason.CONVERGED, null,
                List.of(new CutoverEvent("m-1", CutoverStage.PRECOPY, 0, start),
                        new CutoverEvent("m-1", CutoverStage.ACTIVATED, 3, start + 1_500_000)),
                IntegrityCheck.FULL_MEMORY, 0xabcL, false, 0);

        String text = report.toJson();
        JsonNode json = JSON.readTree(text);

        assertThat(text).contains("\"outcome\":\"COMPLETED\"", "\"converged\":true", "\"mode\":\"pre-copy\"");
        assertThat(json.get("failure").isNull()).isTrue();
        assertThat(json.path("switchoverReason").asText()).isEqualTo("CONVERGED");
        assertThat(json.path("integrity").asText()).isEqualTo("FULL_MEMORY");
        assertThat(json.path("verifiedDigest").asText()).isEqualTo("abc");
        assertThat(json.path("progress").path("round").asInt()).isEqualTo(3);
        assertThat(json.path("events")).hasSize(2);
        assertThat(json.path("events").get(1).path("stage").asText()).isEqualTo("ACTIVATED");
        assertThat(json.path("events").get(1).path("atMs").decimalValue()).isEqualByComparingTo("1.5");
    }
}
