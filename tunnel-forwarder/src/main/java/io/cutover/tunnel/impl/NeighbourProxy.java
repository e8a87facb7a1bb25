package io.cutover.tunnel.impl;

import io.cutover.support.TokenBucket;
import io.cutover.tunnel.MoveState;

/**
 * SOURCE, L3: the neighbour proxy of a move. Once attached it takes every ARP request and neighbour solicitation
 * the source's capture catches, and from the switchover until the move closes answers those for the VM's old
 * addresses on the old site's LAN (see {@link NeighbourAnswers}). Unattached (L2 moves), it takes nothing. Its
 * answers are rate-limited per move, as a router limits what it sends unasked for: a flood of questions from the LAN
 * gets at most {@value #ANSWERS_PER_SECOND} answers a second (and {@value #ANSWER_BURST} at once), the rest counted
 * {@code proxyLimited}; a host that asks again a second later gets its answer.
 */
final class NeighbourProxy {
    static final int ANSWERS_PER_SECOND = 200;
    static final int ANSWER_BURST = 50;

    private final TokenBucket limit = new TokenBucket(ANSWERS_PER_SECOND, ANSWER_BURST);
    private final MovePhase phase;
    private final SinkSlot oldSite;
    private final Counters counters;
    private volatile NeighbourAnswers answers;

    NeighbourProxy(MovePhase phase, SinkSlot oldSite, Counters counters) {
        this.phase = phase;
        this.oldSite = oldSite;
        this.counters = counters;
    }

    void attach(NeighbourAnswers value) {
        answers = value;
    }

    void detach() {
        answers = null;
    }

    /** Whether {@code frame} is a neighbour question for the proxy, and so goes no further (capture thread). */
    boolean takes(byte[] frame) {
        NeighbourAnswers proxy = answers;
        if (proxy == null || !NeighbourAnswers.isQuestion(frame, frame.length)) {
            return false;
        }
        MoveState state = phase.state();
        if (state != MoveState.PLANNED && state != MoveState.CLOSED) {
            proxy.answer(frame, frame.length).ifPresent(answer -> {
                if (!limit.tryTake(System.nanoTime())) {
                    counters.increment("proxyLimited");
                } else if (oldSite.inject(answer, answer.length)) {
                    counters.increment("proxyAnswered");
                }
            });
        }
        return true;
    }
}
