package io.cutover.ddns;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The DNS side of one WAN move: at {@link CutoverStage#PLANNED} the TTL of the VM's name is lowered (the old
 * TTL remembered), at {@link CutoverStage#ACTIVATED} its address is switched {@code from -> to} with a
 * compare-and-swap and verified, at {@link CutoverStage#COMPLETED} the TTL is restored. After a failure the
 * steps taken are undone in reverse: the address is switched back (again only if it still holds ours),
 * then the TTL restored. A move that keeps the address (a LAN move) changes nothing.
 */
public final class DnsCutoverListener implements CutoverListener {
    private static final Logger LOG = LoggerFactory.getLogger(DnsCutoverListener.class);
    /** The TTL during a move, unless another is given. */
    public static final Duration DEFAULT_LOWERED_TTL = Duration.ofSeconds(5);

    private final DnsUpdater dns;
    private final String name;
    private final InetAddress from;
    private final InetAddress to;
    private final Duration loweredTtl;
    private volatile boolean lowered;
    private volatile boolean switched;
    private volatile TtlLowering lowering;

    public DnsCutoverListener(DnsUpdater dns, String name, InetAddress from, InetAddress to, Duration loweredTtl) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.name = RrsetChange.absolute(name).toString();
        this.from = Objects.requireNonNull(from, "from");
        this.to = Objects.requireNonNull(to, "to");
        this.loweredTtl = Objects.requireNonNull(loweredTtl, "loweredTtl");
    }

    /** Whether the move changes the VM's address (a WAN move); otherwise the listener does nothing. */
    public boolean changesAddress() {
        return !from.equals(to);
    }

    /** The TTL lowering done at PLANNED, with its "DNS ready" instant, or {@code null} before. */
    public TtlLowering lowering() {
        return lowering;
    }

    @Override
    public CompletionStage<Void> onEvent(CutoverEvent event) {
        if (!changesAddress()) {
            return done();
        }
        return switch (event.stage()) {
            case PLANNED -> dns.lowerTtl(name, loweredTtl).thenAccept(l -> {
                lowering = l;
                lowered = true;
                LOG.info("{}: TTL {} -> {}; DNS ready at {}", name, l.oldTtl(), l.newTtl(), l.readyAt());
            });
            case ACTIVATED -> dns.switchAddress(name, from, to).thenAccept(r -> {
                switched = true;
                LOG.info("{}: {} -> {} verified on {}", name, from.getHostAddress(), to.getHostAddress(), r.verifiedOn());
            });
            case COMPLETED -> lowered ? dns.restoreTtl(name).thenAccept(r -> lowered = false) : done();
            case FAILED, ROLLED_BACK -> undo();
            default -> done();
        };
    }

    private CompletionStage<Void> undo() {
        CompletionStage<Void> back = switched
                ? dns.switchAddress(name, to, from).thenAccept(r -> switched = false) : done();
        return back.thenCompose(v -> lowered ? dns.restoreTtl(name).thenAccept(r -> lowered = false) : done());
    }

    private static CompletionStage<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
