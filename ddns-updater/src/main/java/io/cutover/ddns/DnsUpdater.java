package io.cutover.ddns;

import io.cutover.ddns.impl.DefaultDnsUpdater;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Safe dynamic DNS: every change is a compare-and-swap signed with TSIG, written to the journal (and
 * synced) before it is sent, retried with bounded backoff while the server does not answer, and verified
 * on every authoritative server. Open it on the thread (and network namespace) whose sockets should be used:
 * its sockets and threads are made there.
 *
 * <pre>{@code
 * try (DnsUpdater dns = DnsUpdater.open(DdnsOptions.builder(primary, TsigKey.read(keyFile)).build())) {
 *     dns.switchAddress("vm1.vms.cutover.test.", oldAddress, newAddress).toCompletableFuture().join();
 * }
 * }</pre>
 * Futures fail with {@link DnsUpdateException} subclasses: {@link ConflictException}, {@link NotOwnerException},
 * {@link TsigRejectedException}, {@link UpdateRefusedException}, {@link DnsTimeoutException},
 * {@link VerificationTimeoutException}.
 */
public interface DnsUpdater extends AutoCloseable {

    /** Opens an updater: its journal (pending updates are kept, see {@link #replay()}) and its sockets. */
    static DnsUpdater open(DdnsOptions options) {
        return open(options, new CompositeMeterRegistry());
    }

    /**
     * As {@link #open(DdnsOptions)}, with the updater's meters in {@code meters}: {@code cutover_dns_updates_total}
     * by outcome ({@code applied}, {@code prerequisite_failed}, {@code refused}, {@code unanswered}, {@code failed})
     * and rcode, one for each UPDATE message; {@code cutover_dns_update_seconds}, a histogram of the time from an
     * UPDATE's first sending to its outcome, retries included; and {@code cutover_dns_pending_updates}, the updates
     * in the journal the server has not answered.
     */
    static DnsUpdater open(DdnsOptions options, MeterRegistry meters) {
        return DefaultDnsUpdater.open(options, meters);
    }

    /** Applies compare-and-swaps in one UPDATE message (all in one zone): all of them, or none. */
    CompletionStage<UpdateResult> apply(List<RrsetChange> changes);

    /**
     * Applies many independent compare-and-swaps, each with its own outcome. Each is journaled on its own; to
     * save round trips and server commits, up to {@link DdnsOptions#maxBatch()} of them (distinct RRsets) travel
     * in one UPDATE message, every one keeping its own prerequisites. When such a message fails a
     * prerequisite, each of its changes is sent again alone, so a conflict on one never holds back the others.
     * At most {@link DdnsOptions#maxInFlight()} messages are in flight at once.
     */
    List<CompletionStage<UpdateResult>> applyEach(List<RrsetChange> changes);

    /**
     * Replaces {@code from} by {@code to} in {@code name}'s A (or AAAA) RRset, only if it holds exactly
     * {@code from}; the TTL served now is kept.
     */
    CompletionStage<UpdateResult> switchAddress(String name, InetAddress from, InetAddress to);

    /**
     * Moves the PTR record of {@code name} from {@code from}'s reverse name to {@code to}'s: the old one is
     * deleted only if it points to {@code name} alone, the new one is created only if none exists. One message
     * when both reverse names are in one zone, otherwise two (the old one first).
     */
    CompletionStage<List<UpdateResult>> switchPtr(String name, InetAddress from, InetAddress to, Duration ttl);

    /**
     * Lowers the TTL of {@code name}'s A and AAAA RRsets to {@code ttl}, remembering the old TTL.
     * {@link TtlLowering#readyAt()} is when caches can no longer hold the records with the old TTL.
     */
    CompletionStage<TtlLowering> lowerTtl(String name, Duration ttl);

    /** Puts back the TTL remembered by {@link #lowerTtl}, keeping whatever addresses the name has now. */
    CompletionStage<UpdateResult> restoreTtl(String name);

    /** Claims {@code name} for our owner id by adding its ownership TXT, only if it has no TXT RRset. */
    CompletionStage<UpdateResult> claim(String name);

    /** What the primary holds for {@code name}: A, AAAA, PTR, TXT RRsets and the zone serial. */
    CompletionStage<RecordState> show(String name);

    /** The exact UPDATE message that {@link #apply} would send (signed), as text; nothing is sent. */
    String dryRun(List<RrsetChange> changes);

    /** The updates in the journal that the server has not answered yet. */
    List<PendingUpdate> pending();

    /** The TTLs remembered by {@link #lowerTtl} and not yet restored, by name. */
    Map<String, Duration> rememberedTtls();

    /** Sends every pending update again (each is a compare-and-swap, so a second delivery changes nothing). */
    CompletionStage<List<UpdateResult>> replay();

    /** Closes the sockets and the journal. Pending updates stay in the journal. */
    @Override
    void close();
}
