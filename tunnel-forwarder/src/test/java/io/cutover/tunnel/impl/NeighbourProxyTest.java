package io.cutover.tunnel.impl;

import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.MoveState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NeighbourProxyTest {
    private static final byte[] HOST_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

    @Test
    void aFloodOfQuestionsGetsABurstOfAnswersAndTheRestIsCounted() {
        Counters counters = new Counters();
        List<byte[]> injected = new ArrayList<>();
        SinkSlot oldSite = new SinkSlot();
        oldSite.attach(TestFrames.recording(injected));
        NeighbourProxy proxy = new NeighbourProxy(new MovePhase(MoveState.HOLDING, DrainPolicy.DEFAULT, false), oldSite,
                counters);
        proxy.attach(new NeighbourAnswers(HOST_MAC, List.of(TestFrames.VM_IP)));
        byte[] question = TestFrames.arpRequest(TestFrames.VM_IP);
        long started = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            assertThat(proxy.takes(question)).isTrue();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long allowed = NeighbourProxy.ANSWER_BURST + (long) Math.ceil(seconds * NeighbourProxy.ANSWERS_PER_SECOND) + 1;
        assertThat(injected.size()).as("answers to 10,000 questions in %.3f s", seconds)
                .isBetween(NeighbourProxy.ANSWER_BURST, (int) allowed);
        assertThat(counters.get("proxyAnswered")).isEqualTo(injected.size());
        assertThat(counters.get("proxyLimited")).isEqualTo(10_000L - injected.size());
    }
}
