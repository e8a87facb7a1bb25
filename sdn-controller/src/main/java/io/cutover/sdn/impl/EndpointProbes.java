package io.cutover.sdn.impl;

import io.cutover.sdn.Endpoint;
import io.cutover.sdn.ProbeAnswer;
import io.cutover.sdn.BusyException;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Asks endpoints whether they answer at the port the model has them on: the proof that a moved VM runs at its new
 * place, which no flow count can give. The controller sends a probe ({@link ProbeFrames}) straight out of the
 * endpoint's port with a packet-out (past the switch's tables, so the switch's own ARP responder does not answer for
 * it), every {@link #RESEND} until an answer or the timeout; the answer, addressed to {@link ProbeFrames#PROBE_MAC},
 * reaches the controller by {@link #answerFlow} on every switch. Only an answer from the endpoint's MAC, for the
 * address asked, that came in by the endpoint's port on its switch counts: the same VM answering at its old place
 * does not.
 * <p>
 * Confined to the controller's core thread. At most {@link #MAX_PENDING} endpoints are asked at once; a second probe
 * of an endpoint being asked joins the first.
 */
final class EndpointProbes {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointProbes.class);
    /** Above the responder's flows (80, 85), below unicast (100): answers to the controller's probes. */
    static final int PRIORITY_PROBE_ANSWER = 90;
    static final Duration RESEND = Duration.ofMillis(200);
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(30);
    static final int MAX_PENDING = 256;
    private static final OFFactory OF = SwitchSession.OF;

    /** Sends one frame out of a port of a switch; false when the switch is not connected. */
    interface Sender {
        boolean send(io.cutover.sdn.Dpid sw, int port, byte[] frame);
    }

    private final Executor core;
    private final Sender sender;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private long strayAnswers;

    EndpointProbes(Executor core, Sender sender) {
        this.core = core;
        this.sender = sender;
    }

    /**
     * The flow that sends answers to probes to the controller, on every switch (table 1: only what its table 0
     * admitted, from a port the model knows, gets this far).
     */
    static void answerFlow(Consumer<FlowSpec> flows) {
        flows.accept(FlowSpec.of(FlowPlanner.TABLE_FORWARD, PRIORITY_PROBE_ANSWER,
                OF.buildMatch().setExact(MatchField.ETH_DST, MacAddress.of(ProbeFrames.PROBE_MAC)).build(),
                FlowPlanner.FABRIC_COOKIE, List.of(OF.instructions().applyActions(List.of(
                        OF.actions().output(OFPort.CONTROLLER, NeighbourResponder.PACKET_IN_BYTES))))));
    }

    /**
     * Probes {@code e} at {@code port} (the number of its port on its switch) for its first address until it answers
     * or {@code timeout} has passed; completes with what was heard, never exceptionally for silence.
     *
     * @throws IllegalArgumentException a timeout that is not positive or above {@link #MAX_TIMEOUT}
     * @throws BusyException            {@link #MAX_PENDING} endpoints are being asked already
     */
    CompletableFuture<ProbeAnswer> probe(Endpoint e, int port, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("a probe's timeout is 1 ms to " + MAX_TIMEOUT.toSeconds()
                    + " s, not " + timeout.toMillis() + " ms");
        }
        Pending already = pending.get(e.name());
        if (already != null) {
            return already.answer;
        }
        Optional<InetAddress> address = e.addresses().stream().map(NeighbourResponder::hostAddress)
                .flatMap(Optional::stream).min((a, b) -> Boolean.compare(a instanceof java.net.Inet6Address,
                        b instanceof java.net.Inet6Address));
        if (address.isEmpty()) {
            return CompletableFuture.completedFuture(new ProbeAnswer(e.name(), e.switchId(), e.port(), null, false,
                    0, 0));
        }
        if (pending.size() >= MAX_PENDING) {
            throw new BusyException(MAX_PENDING + " endpoints are being probed already; try again shortly");
        }
        Pending p = new Pending(e, port, address.get(), System.nanoTime() + timeout.toNanos());
        pending.put(e.name(), p);
        send(p);
        return p.answer;
    }

    /**
     * Takes a frame a switch sent up, if it is addressed to the probes' MAC: completes the probe it answers.
     *
     * @return whether the frame was for the probes (answering one or not); false leaves it to others
     */
    boolean offer(io.cutover.sdn.Dpid sw, int inPort, byte[] frame) {
        if (!ProbeFrames.isForProbes(frame)) {
            return false;
        }
        Optional<ProbeFrames.Answer> answer = ProbeFrames.answer(frame);
        Pending answered = answer.flatMap(a -> pending.values().stream()
                .filter(p -> a.isFrom(p.mac, p.address) && p.endpoint.switchId().equals(sw) && p.port == inPort)
                .findFirst()).orElse(null);
        if (answered == null) {
            strayAnswers++;
            LOG.debug("switch {} port {}: a frame for the probes that answers no open probe ({} so far)", sw, inPort,
                    strayAnswers);
            return true;
        }
        answered.finish(true);
        return true;
    }

    /** Frames sent to the probes' MAC that answered no open probe (a VM answering at its old place, garbage). */
    long strayAnswers() {
        return strayAnswers;
    }

    private void send(Pending p) {
        if (p.answer.isDone()) {
            return;
        }
        long now = System.nanoTime();
        if (now - p.deadline >= 0) {
            p.finish(false);
            return;
        }
        if (sender.send(p.endpoint.switchId(), p.port, ProbeFrames.probe(p.mac, p.address))) {
            p.sent++;
        }
        long next = Math.min(RESEND.toNanos(), p.deadline - now);
        CompletableFuture.delayedExecutor(next, TimeUnit.NANOSECONDS, core).execute(() -> send(p));
    }

    private final class Pending {
        final Endpoint endpoint;
        final int port;
        final byte[] mac;
        final InetAddress address;
        final long started = System.nanoTime();
        final long deadline;
        final CompletableFuture<ProbeAnswer> answer = new CompletableFuture<>();
        int sent;

        Pending(Endpoint endpoint, int port, InetAddress address, long deadline) {
            this.endpoint = endpoint;
            this.port = port;
            this.mac = MacAddress.of(endpoint.mac()).getBytes();
            this.address = address;
            this.deadline = deadline;
        }

        void finish(boolean answered) {
            pending.remove(endpoint.name(), this);
            answer.complete(new ProbeAnswer(endpoint.name(), endpoint.switchId(), endpoint.port(),
                    address.getHostAddress(), answered, (System.nanoTime() - started) / 1_000, sent));
        }
    }
}
