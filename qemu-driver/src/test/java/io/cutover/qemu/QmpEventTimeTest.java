package io.cutover.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** An event is placed when QEMU sent it (its timestamp), not when the client read it, unless the stamp is unusable. */
class QmpEventTimeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant READ_AT = Instant.parse("2026-12-04T05:30:00.500000Z");
    private static final long READ_NANOS = 9_000_000_000L;

    @Test
    void aStampThirtyMillisecondsOldPlacesTheEventThirtyMillisecondsBeforeItsReading() throws Exception {
        assertThat(sent(READ_AT.minusMillis(30))).isEqualTo(READ_NANOS - 30_000_000L);
    }

    @Test
    void noStampAStampAheadOrOneFromBeforeAClockStepLeaveTheReadTime() throws Exception {
        assertThat(QmpClient.sentNanos(JSON.readTree("{\"event\": \"RESUME\"}"), READ_NANOS, READ_AT))
                .isEqualTo(READ_NANOS);
        assertThat(sent(READ_AT.plusMillis(5))).isEqualTo(READ_NANOS);
        assertThat(sent(READ_AT.minusSeconds(5))).isEqualTo(READ_NANOS);
    }

    private static long sent(Instant stamp) throws Exception {
        JsonNode event = JSON.readTree("{\"event\": \"MIGRATION\", \"data\": {\"status\": \"pre-switchover\"}, "
                + "\"timestamp\": {\"seconds\": " + stamp.getEpochSecond() + ", \"microseconds\": "
                + stamp.getNano() / 1_000 + "}}");
        return QmpClient.sentNanos(event, READ_NANOS, READ_AT);
    }
}
