package io.cutover.agent.plan;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TimelineTest {

    @Test
    void anObservationMadeElsewhereTakesItsPlaceInTime() throws Exception {
        Timeline timeline = new Timeline();
        List<TimelineEntry> seen = new ArrayList<>();
        timeline.subscribe(seen::add);
        long before = System.nanoTime();
        Thread.sleep(2);
        timeline.add("SWITCHOVER", "stage", null);
        timeline.add("ACTIVATED", "stage", null);
        timeline.addAt(before, "client.gap", "start", "last echo");

        assertThat(timeline.entries()).extracting(TimelineEntry::what)
                .containsExactly("client.gap", "SWITCHOVER", "ACTIVATED");
        assertThat(timeline.nanoTimeOf("client.gap", "start")).isBetween(before - 1_000, before);
        assertThat(seen).extracting(TimelineEntry::what).containsExactly("SWITCHOVER", "ACTIVATED", "client.gap");
    }
}
