package io.cutover.sdn;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The controller's part of one cutover: {@code PLANNED} prepares the move (destination flows in place),
 * {@code RESERVED} checks that both switches are connected, {@code SWITCHOVER} redirects the endpoint's traffic at the
 * source to the forwarder's port (if one is given), {@code ACTIVATED} commits (the returned stage completes when every
 * switch confirmed, so an announcer that waits on it never announces too early), {@code COMPLETED} cleans up, and
 * {@code FAILED}/{@code ROLLED_BACK} roll the move back.
 */
public final class SdnCutoverListener implements CutoverListener {
    /** How long {@code RESERVED} waits for the two switches. */
    public static final Duration DEFAULT_SWITCH_WAIT = Duration.ofSeconds(5);

    private final SdnController sdn;
    private final String endpoint;
    private final Dpid toSwitch;
    private final String toPort;
    private final String forwarderPort;
    private volatile Move move;

    /**
     * @param forwarderPort the tunnel forwarder's port on the source switch, or {@code null} to skip the redirect
     */
    public SdnCutoverListener(SdnController sdn, String endpoint, Dpid toSwitch, String toPort, String forwarderPort) {
        this.sdn = Objects.requireNonNull(sdn, "sdn");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.toSwitch = Objects.requireNonNull(toSwitch, "toSwitch");
        this.toPort = Objects.requireNonNull(toPort, "toPort");
        this.forwarderPort = forwarderPort;
    }

    /** The move this listener drives, once {@code PLANNED} has prepared it. */
    public Move move() {
        return move;
    }

    @Override
    public CompletionStage<Void> onEvent(CutoverEvent event) {
        return switch (event.stage()) {
            case PLANNED -> sdn.prepare(endpoint, toSwitch, toPort).thenAccept(m -> move = m);
            case RESERVED -> withMove(m -> sdn.awaitSwitches(List.of(m.fromSwitch(), m.toSwitch()), DEFAULT_SWITCH_WAIT));
            case SWITCHOVER -> forwarderPort == null ? done()
                    : withMove(m -> sdn.redirectToForwarder(m.id(), forwarderPort).thenAccept(r -> move = r));
            case ACTIVATED -> withMove(m -> sdn.commit(m.id()).thenAccept(c -> move = c));
            case COMPLETED -> withMove(m -> sdn.cleanup(m.id()).thenAccept(c -> move = c));
            case FAILED, ROLLED_BACK -> move == null || !current().open() ? done()
                    : sdn.rollback(move.id()).thenAccept(r -> move = r);
            default -> done();
        };
    }

    private Move current() {
        return sdn.move(move.id()).orElse(move);
    }

    private CompletionStage<Void> withMove(java.util.function.Function<Move, CompletionStage<?>> step) {
        if (move == null) {
            return CompletableFuture.failedFuture(new MoveStateException("no move of " + endpoint
                    + " was prepared (PLANNED was not seen)"));
        }
        return step.apply(move).thenApply(x -> null);
    }

    private static CompletionStage<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
