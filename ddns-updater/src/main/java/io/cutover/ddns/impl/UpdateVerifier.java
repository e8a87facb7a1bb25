package io.cutover.ddns.impl;

import io.cutover.ddns.DdnsOptions;
import io.cutover.ddns.DnsUpdateException;
import io.cutover.ddns.PendingUpdate;
import io.cutover.ddns.RrsetChange;
import io.cutover.ddns.UpdateResult;
import io.cutover.ddns.VerificationTimeoutException;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Verification after an update: the primary's serial is read (it answered the update, so it serves it) and,
 * at the same time, every authoritative server is asked for the changed RRsets and its serial, again and
 * again until each serves them at that serial or later, or the verification timeout passes.
 */
final class UpdateVerifier {
    private final DdnsOptions options;
    private final DnsTransport transport;
    private final DnsQueries queries;

    UpdateVerifier(DdnsOptions options, DnsTransport transport, DnsQueries queries) {
        this.options = options;
        this.transport = transport;
        this.queries = queries;
    }


    /**
     * Asks the primary for the zone's serial (it answered the update, so it serves it) and, at the same time,
     * every authoritative server for the changed RRsets and its serial, until each serves them at that serial
     * or later.
     */
    CompletableFuture<UpdateResult> verify(UpdateResult result, long start) {
        PendingUpdate update = new PendingUpdate(result.id(), Instant.now(), result.zone(), null, result.changes());
        return queries.authoritativeServers(update.zone()).thenCompose(servers -> {
            CompletableFuture<Long> target = queries.serial(options.primary(), update.zone());
            List<CompletableFuture<String>> checks = new ArrayList<>();
            long deadline = System.nanoTime() + options.verifyTimeout().toNanos();
            for (InetSocketAddress server : servers) {
                checks.add(verifyOn(server, update, target, deadline));
            }
            return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).thenCombine(target, (v, serial) ->
                    withVerification(result, serial, checks.stream().map(CompletableFuture::join).toList(), start));
        });
    }

    private CompletableFuture<String> verifyOn(InetSocketAddress server, PendingUpdate update, CompletableFuture<Long> target,
                                               long deadline) {
        List<CompletableFuture<DnsQueries.Rrset>> sets = new ArrayList<>();
        for (RrsetChange change : update.changes()) {
            sets.add(queries.rrset(server, change.owner(), change.typeCode()));
        }
        CompletableFuture<Long> served = server.equals(options.primary()) && !target.isDone() ? target
                : queries.serial(server, update.zone());
        return CompletableFuture.allOf(sets.toArray(CompletableFuture[]::new)).thenCombine(served, (v, s) -> s)
                .thenCombine(target, (s, t) -> new long[] {s, t})
                .handle((pair, error) -> {
                    Long s = pair == null ? null : pair[0];
                    long serial = pair == null ? -1 : pair[1];
                    List<String> held = new ArrayList<>();
                    boolean ok = error == null && serialAtLeast(s, serial);
                    for (int i = 0; error == null && i < sets.size(); i++) {
                        RrsetChange change = update.changes().get(i);
                        DnsQueries.Rrset set = sets.get(i).join();
                        held.add(set.describe(change.typeCode()));
                        ok &= set.holds(change.desired(), change.ttl());
                    }
                    if (ok) {
                        return CompletableFuture.completedFuture(DnsTransport.hostPort(server));
                    }
                    if (System.nanoTime() >= deadline) {
                        String seen = error != null ? "no answer (" + DnsQueries.rootCause(error).getMessage() + ")"
                                : "serial " + s + " and " + held;
                        throw new VerificationTimeoutException(update.zone(), update.changes().get(0).name(),
                                DnsUpdateException.NO_RCODE, DnsTransport.hostPort(server) + " did not serve the update (serial >= "
                                + serial + ") within " + options.verifyTimeout().toMillis() + " ms; it serves " + seen);
                    }
                    CompletableFuture<String> again = new CompletableFuture<>();
                    transport.schedule(() -> verifyOn(server, update, target, deadline).whenComplete((r, e) -> {
                        if (e != null) {
                            again.completeExceptionally(DnsQueries.rootCause(e));
                        } else {
                            again.complete(r);
                        }
                    }), options.verifyInterval());
                    return again;
                }).thenCompose(f -> f);
    }

    /** RFC 1982 serial number arithmetic: {@code a >= b}. */
    static boolean serialAtLeast(long a, long b) {
        return a == b || ((int) (a - b)) > 0;
    }

    static UpdateResult withVerification(UpdateResult result, long serial, List<String> servers, long start) {
        return new UpdateResult(result.id(), result.zone(), result.changes(), result.alreadyApplied(), serial,
                servers, Duration.ofNanos(System.nanoTime() - start));
    }
}
