package io.cutover.ddns.impl;

import io.cutover.ddns.ConflictException;
import io.cutover.ddns.DdnsOptions;
import io.cutover.ddns.DnsTimeoutException;
import io.cutover.ddns.DnsUpdateException;
import io.cutover.ddns.DnsUpdater;
import io.cutover.ddns.NotOwnerException;
import io.cutover.ddns.PendingUpdate;
import io.cutover.ddns.RecordState;
import io.cutover.ddns.RrsetChange;
import io.cutover.ddns.TsigRejectedException;
import io.cutover.ddns.TtlLowering;
import io.cutover.ddns.UpdateRefusedException;
import io.cutover.ddns.UpdateResult;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The {@link DnsUpdater}: journal first, then a signed compare-and-swap, then verification. */
public final class DefaultDnsUpdater implements DnsUpdater {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultDnsUpdater.class);
    private static final List<Integer> SHOWN_TYPES = List.of(Type.A, Type.AAAA, Type.PTR, Type.TXT);

    private final DdnsOptions options;
    private final DnsTransport transport;
    private final UpdateJournal journal;
    private final TSIG signer;
    private final ExecutorService worker;
    private final Backoff backoff;
    private final DnsQueries queries;
    private final UpdateVerifier verifier;
    private final DnsMetrics metrics;

    private DefaultDnsUpdater(DdnsOptions options, DnsTransport transport, UpdateJournal journal, MeterRegistry meters) {
        this.options = options;
        this.metrics = new DnsMetrics(meters, journal);
        this.transport = transport;
        this.journal = journal;
        this.signer = UpdateMessages.signer(options.key());
        this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
        this.queries = new DnsQueries(options, transport, backoff);
        this.verifier = new UpdateVerifier(options, transport, queries);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "ddns-worker");
            t.setDaemon(true);
            return t;
        });
        pool.prestartAllCoreThreads();
        this.worker = pool;
    }

    /** Opens the journal and the transport on the calling thread; its meters go to {@code meters}. */
    public static DefaultDnsUpdater open(DdnsOptions options, MeterRegistry meters) {
        UpdateJournal journal = options.journalDir() == null ? UpdateJournal.inMemory() : UpdateJournal.open(options.journalDir());
        try {
            return new DefaultDnsUpdater(options, DnsTransport.open(), journal, meters);
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    public DdnsOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- public operations

    @Override
    public CompletionStage<UpdateResult> apply(List<RrsetChange> changes) {
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("an update needs at least one change");
        }
        long start = System.nanoTime();
        return journaled(() -> journal.add(options.zone(), options.owner(), changes))
                .thenCompose(update -> send(update, start));
    }

    @Override
    public List<CompletionStage<UpdateResult>> applyEach(List<RrsetChange> changes) {
        List<CompletableFuture<UpdateResult>> results = new ArrayList<>();
        changes.forEach(c -> results.add(new CompletableFuture<>()));
        List<List<Integer>> batches = new ArrayList<>();
        List<Integer> batch = new ArrayList<>();
        Set<String> rrsets = new HashSet<>();
        for (int i = 0; i < changes.size(); i++) {
            String rrset = changes.get(i).name() + "/" + changes.get(i).type();
            if (batch.size() == options.maxBatch() || !rrsets.add(rrset)) {
                batches.add(batch);
                batch = new ArrayList<>();
                rrsets.clear();
                rrsets.add(rrset);
            }
            batch.add(i);
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        Queue<List<Integer>> queue = new ConcurrentLinkedQueue<>(batches);
        for (int w = 0; w < Math.min(options.maxInFlight(), batches.size()); w++) {
            nextBatch(queue, changes, results);
        }
        return List.copyOf(results);
    }

    private void nextBatch(Queue<List<Integer>> queue, List<RrsetChange> changes, List<CompletableFuture<UpdateResult>> results) {
        List<Integer> indices = queue.poll();
        if (indices == null) {
            return;
        }
        List<CompletableFuture<UpdateResult>> out = indices.stream().map(results::get).toList();
        sendBatch(indices.stream().map(changes::get).toList(), out)
                .whenComplete((v, e) -> nextBatch(queue, changes, results));
    }

    /** Journals each change alone (one fsync), sends them in one message, splits them on a failed prerequisite. */
    private CompletableFuture<Void> sendBatch(List<RrsetChange> batch, List<CompletableFuture<UpdateResult>> out) {
        long start = System.nanoTime();
        String name = batch.get(0).name();
        CompletableFuture<List<PendingUpdate>> journaled = journaled(() -> journal.addAll(options.zone(),
                options.owner(), batch.stream().map(List::of).toList()));
        return journaled.thenCompose(singles -> queries.zoneOf(name).thenCompose(zone -> withKeptTtls(batch).thenCompose(changes -> {
            boolean oneZone = changes.stream().allMatch(c -> c.owner().subdomain(RrsetChange.absolute(zone)));
            if (singles.size() == 1 || !oneZone) {
                return sendAlone(singles, out, start);
            }
            PendingUpdate combined = new PendingUpdate(singles.get(0).id(), singles.get(0).created(), zone, options.owner(),
                    changes);
            return exchange(zone, name, combined).thenCompose(response -> {
                int rcode = response.message().getRcode();
                if (rcode == Rcode.NOERROR) {
                    singles.forEach(single -> journal.doneUnsynced(single.id(), "applied"));
                    UpdateResult sent = new UpdateResult(combined.id(), zone, changes, false, -1, List.of(), Duration.ZERO);
                    CompletableFuture<UpdateResult> verified = options.verify() ? verifier.verify(sent, start)
                            : CompletableFuture.completedFuture(UpdateVerifier.withVerification(sent, -1, List.of(), start));
                    return verified.thenAccept(v -> {
                        for (int k = 0; k < singles.size(); k++) {
                            out.get(k).complete(new UpdateResult(singles.get(k).id(), zone, List.of(changes.get(k)), false,
                                    v.serial(), v.verifiedOn(), v.elapsed()));
                        }
                    });
                }
                if (isPrerequisiteFailure(rcode)) {
                    return sendAlone(singles, out, start);
                }
                throw rejection(combined, response.message());
            });
        }).exceptionally(error -> {
            Throwable cause = DnsQueries.rootCause(error);
            for (int k = 0; k < singles.size(); k++) {
                if (!(cause instanceof DnsTimeoutException)) {
                    journal.doneUnsynced(singles.get(k).id(), "failed: " + cause.getMessage());
                }
                out.get(k).completeExceptionally(cause);
            }
            return null;
        }))).exceptionally(error -> {
            out.forEach(f -> f.completeExceptionally(DnsQueries.rootCause(error)));
            return null;
        });
    }

    /** Sends each journaled update in its own message; completes when all have their outcome. */
    private CompletableFuture<Void> sendAlone(List<PendingUpdate> singles, List<CompletableFuture<UpdateResult>> out,
                                              long start) {
        List<CompletableFuture<UpdateResult>> alone = new ArrayList<>();
        for (int k = 0; k < singles.size(); k++) {
            CompletableFuture<UpdateResult> target = out.get(k);
            alone.add(send(singles.get(k), start).whenComplete((r, e) -> {
                if (e != null) {
                    target.completeExceptionally(DnsQueries.rootCause(e));
                } else {
                    target.complete(r);
                }
            }));
        }
        return CompletableFuture.allOf(alone.toArray(CompletableFuture[]::new)).handle((v, e) -> null);
    }

    @Override
    public CompletionStage<UpdateResult> switchAddress(String name, InetAddress from, InetAddress to) {
        return apply(List.of(RrsetChange.switchAddress(name, from, to, RrsetChange.KEEP_TTL)));
    }

    @Override
    public CompletionStage<List<UpdateResult>> switchPtr(String name, InetAddress from, InetAddress to, Duration ttl) {
        String target = RrsetChange.absolute(name).toString();
        RrsetChange remove = new RrsetChange(org.xbill.DNS.ReverseMap.fromAddress(from).toString(), "PTR", ttl,
                List.of(target), List.of());
        RrsetChange add = new RrsetChange(org.xbill.DNS.ReverseMap.fromAddress(to).toString(), "PTR", ttl,
                List.of(), List.of(target));
        return queries.zoneOf(remove.name()).thenCombine(queries.zoneOf(add.name()), String::equals).thenCompose(sameZone -> sameZone
                ? apply(List.of(remove, add)).thenApply(List::of)
                : apply(List.of(remove)).thenCompose(first -> apply(List.of(add)).thenApply(second -> List.of(first, second))));
    }

    @Override
    public CompletionStage<TtlLowering> lowerTtl(String name, Duration ttl) {
        Name owner = RrsetChange.absolute(name);
        return queries.addresses(owner).thenCompose(held -> {
            if (held.isEmpty()) {
                throw new ConflictException(queries.zoneGuess(owner), owner.toString(), Rcode.NXRRSET,
                        "no A or AAAA records to lower the TTL of", List.of());
            }
            Duration old = held.values().stream().map(s -> s.ttl().orElseThrow()).max(Duration::compareTo).orElseThrow();
            List<RrsetChange> changes = new ArrayList<>();
            held.forEach((type, set) -> changes.add(new RrsetChange(owner.toString(), Type.string(type), ttl, set.rdata(),
                    set.rdata())));
            return journaled(() -> journal.rememberTtl(owner.toString(), old))
                    .thenCompose(remembered -> apply(changes).thenApply(result -> new TtlLowering(owner.toString(),
                            remembered, ttl, Instant.now().plus(remembered), result)));
        });
    }

    @Override
    public CompletionStage<UpdateResult> restoreTtl(String name) {
        Name owner = RrsetChange.absolute(name);
        Optional<Duration> remembered = journal.rememberedTtl(owner.toString());
        if (remembered.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no lowered TTL is remembered for " + owner
                    + " (was lower-ttl run with this journal?)"));
        }
        return queries.addresses(owner).thenCompose(held -> {
            List<RrsetChange> changes = new ArrayList<>();
            held.forEach((type, set) -> changes.add(new RrsetChange(owner.toString(), Type.string(type),
                    remembered.get(), set.rdata(), set.rdata())));
            if (changes.isEmpty()) {
                throw new ConflictException(queries.zoneGuess(owner), owner.toString(), Rcode.NXRRSET,
                        "no A or AAAA records to restore the TTL of", List.of());
            }
            return apply(changes);
        }).thenApplyAsync(result -> {
            journal.forgetTtl(owner.toString());
            return result;
        }, worker);
    }

    @Override
    public CompletionStage<UpdateResult> claim(String name) {
        if (options.owner() == null) {
            throw new IllegalArgumentException("claiming a name needs an owner id");
        }
        RrsetChange change = new RrsetChange(name, "TXT", Duration.ofSeconds(300), List.of(), List.of(options.ownerTxt()));
        long start = System.nanoTime();
        return journaled(() -> journal.add(options.zone(), null, List.of(change)))
                .thenCompose(update -> send(update, start));
    }

    @Override
    public CompletionStage<RecordState> show(String name) {
        Name owner = RrsetChange.absolute(name);
        return queries.zoneOf(owner.toString()).thenCompose(zone -> {
            CompletableFuture<Long> serial = queries.serial(options.primary(), zone);
            List<CompletableFuture<DnsQueries.Rrset>> sets = new ArrayList<>();
            for (int type : SHOWN_TYPES) {
                sets.add(queries.rrset(options.primary(), owner, type));
            }
            return CompletableFuture.allOf(sets.toArray(CompletableFuture[]::new)).thenCombine(serial, (v, s) -> {
                List<String> lines = new ArrayList<>();
                List<String> ownerTxt = new ArrayList<>();
                for (int i = 0; i < sets.size(); i++) {
                    DnsQueries.Rrset set = sets.get(i).join();
                    if (!set.rdata().isEmpty()) {
                        lines.add(set.describe(SHOWN_TYPES.get(i)));
                    }
                    if (SHOWN_TYPES.get(i) == Type.TXT) {
                        set.rdata().stream().filter(t -> t.contains("heritage=cutover")).forEach(ownerTxt::add);
                    }
                }
                return new RecordState(DnsTransport.hostPort(options.primary()), zone, s, lines, ownerTxt);
            });
        });
    }

    @Override
    public String dryRun(List<RrsetChange> changes) {
        String zone = queries.zoneOf(changes.get(0).name()).join();
        PendingUpdate update = new PendingUpdate(0, Instant.now(), zone, options.owner(), withKeptTtls(changes).join());
        Message message = UpdateMessages.build(update, DdnsOptions.ownerTxt(update.owner()), 0);
        UpdateMessages.sign(message, signer);
        return message.toString().replace(";; TSIG invalid", ";; TSIG signed with key " + options.key().name() + " ("
                + options.key().algorithm().bindName() + "); the id and time are set anew when it is sent");
    }

    @Override
    public List<PendingUpdate> pending() {
        return journal.pending();
    }

    @Override
    public CompletionStage<List<UpdateResult>> replay() {
        List<PendingUpdate> updates = journal.pending();
        List<CompletableFuture<UpdateResult>> results = new ArrayList<>();
        for (PendingUpdate update : updates) {
            LOG.info("replaying update {} of {}: {}", update.id(), update.created(), update.changes());
            results.add(send(update, System.nanoTime()));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(v -> results.stream().map(CompletableFuture::join).toList());
    }

    @Override
    public Map<String, Duration> rememberedTtls() {
        return journal.rememberedTtls();
    }

    @Override
    public void close() {
        transport.close();
        worker.shutdownNow();
        journal.close();
    }

    // ---------------------------------------------------------------- sending an update

    /**
     * A journal write: on the worker when the journal is on disk (the write waits for the disk), on the calling
     * thread when it is in memory (no thread hop for nothing).
     */
    private <T> CompletableFuture<T> journaled(Supplier<T> write) {
        if (journal.onDisk()) {
            return CompletableFuture.supplyAsync(write, worker);
        }
        try {
            return CompletableFuture.completedFuture(write.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<UpdateResult> send(PendingUpdate queued, long start) {
        String name = queued.changes().get(0).name();
        return queries.zoneOf(name).thenCompose(zone -> {
            for (RrsetChange change : queued.changes()) {
                if (!change.owner().subdomain(RrsetChange.absolute(zone))) {
                    throw new IllegalArgumentException(change.name() + " is not in zone " + zone);
                }
            }
            return withKeptTtls(queued.changes()).thenCompose(changes -> {
            PendingUpdate update = new PendingUpdate(queued.id(), queued.created(), zone, queued.owner(), changes);
            return exchange(zone, name, update)
                    .handle((response, error) -> error == null ? outcome(update, response) : unanswered(update, error))
                    .thenCompose(f -> f);
            });
        }).handle((result, error) -> error == null ? CompletableFuture.completedFuture(result)
                : unanswered(queued, error)).thenCompose(f -> f)
                .thenCompose(result -> options.verify() ? verifier.verify(result, start)
                        : CompletableFuture.completedFuture(UpdateVerifier.withVerification(result, -1, List.of(), start)));
    }

    /** The changes with every {@link RrsetChange#KEEP_TTL} replaced by the TTL the primary serves now. */
    private CompletableFuture<List<RrsetChange>> withKeptTtls(List<RrsetChange> changes) {
        List<CompletableFuture<RrsetChange>> resolved = new ArrayList<>();
        for (RrsetChange change : changes) {
            resolved.add(!change.keepsTtl() ? CompletableFuture.completedFuture(change)
                    : queries.rrset(options.primary(), change.owner(), change.typeCode()).thenApply(held -> change.withTtl(
                            held.ttl().orElse(Duration.ofSeconds(RrsetChange.DEFAULT_TTL_S)))));
        }
        return CompletableFuture.allOf(resolved.toArray(CompletableFuture[]::new))
                .thenApply(v -> resolved.stream().map(CompletableFuture::join).toList());
    }

    /** Sends {@code update} until it is answered or the attempts run out, and meters its outcome. */
    private CompletableFuture<DnsTransport.Response> exchange(String zone, String name, PendingUpdate update) {
        long sent = System.nanoTime();
        return queries.withRetries(zone, name, () -> signedExchange(update)).whenComplete((response, error) -> {
            Duration took = Duration.ofNanos(System.nanoTime() - sent);
            if (error == null) {
                metrics.answered(response.message().getRcode(), took);
            } else {
                metrics.unanswered(DnsQueries.rootCause(error), took);
            }
        });
    }

    private CompletableFuture<DnsTransport.Response> signedExchange(PendingUpdate update) {
        TSIGRecord[] request = new TSIGRecord[1];
        return transport.exchange(options.primary(), id -> {
            Message message = UpdateMessages.build(update, DdnsOptions.ownerTxt(update.owner()), id);
            request[0] = UpdateMessages.sign(message, signer);
            return message.toWire(Message.MAXLENGTH);
        }, options.timeout()).thenApply(response -> {
            checkSignature(update, response, request[0]);
            if (response.message().getRcode() == Rcode.SERVFAIL) {
                throw new CompletionException(new DnsQueries.TransientFailure("SERVFAIL from " + DnsTransport.hostPort(options.primary())));
            }
            return response;
        });
    }

    private void checkSignature(PendingUpdate update, DnsTransport.Response response, TSIGRecord request) {
        Message message = response.message();
        TSIGRecord tsig = message.getTSIG();
        String name = update.changes().get(0).name();
        if (tsig != null && tsig.getError() != Rcode.NOERROR) {
            throw new TsigRejectedException(update.zone(), name, tsig.getError(), tsigRefusal(tsig.getError()));
        }
        if (tsig == null) {
            if (message.getRcode() == Rcode.NOERROR) {
                throw new TsigRejectedException(update.zone(), name, Rcode.BADSIG, "the server's answer is not signed");
            }
            return;
        }
        int verified = signer.verify(message, response.wire(), request);
        if (verified != Rcode.NOERROR) {
            throw new TsigRejectedException(update.zone(), name, verified, "the server's answer failed TSIG verification");
        }
    }

    private CompletableFuture<UpdateResult> outcome(PendingUpdate update, DnsTransport.Response response) {
        int rcode = response.message().getRcode();
        String name = update.changes().get(0).name();
        if (rcode == Rcode.NOERROR) {
            return done(update, "applied").thenCompose(v -> serialAfter(update, false));
        }
        if (isPrerequisiteFailure(rcode)) {
            return inspect(update, rcode).handle((already, error) -> {
                CompletableFuture<Void> recorded = done(update, error == null ? "already applied" : "conflict");
                if (error != null) {
                    return recorded.<UpdateResult>thenApply(v -> {
                        throw new CompletionException(DnsQueries.rootCause(error));
                    });
                }
                return recorded.thenCompose(v -> serialAfter(update, true));
            }).thenCompose(f -> f);
        }
        return done(update, "rejected " + Rcode.string(rcode)).thenApply(v -> {
            throw rejection(update, response.message());
        });
    }

    /** What a server's TSIG error says about our key, for a person. */
    private String tsigRefusal(int error) {
        String key = options.key().name();
        return switch (error) {
            case Rcode.BADKEY -> "the server does not take key " + key + " here: it does not know the key, or (Knot) "
                    + "its ACL does not let the key update this zone";
            case Rcode.BADSIG -> "the server's secret for key " + key + " is not ours (a bad signature)";
            case Rcode.BADTIME -> "the server's clock and ours differ by more than the signature's fudge";
            default -> "the server rejected our TSIG signature with key " + key;
        };
    }

    /**
     * The error of an update the server answered but did not apply. An answer signed with our key (checked before)
     * proves the server knows the key: a refusal then says the key is not authorised for the name.
     */
    private DnsUpdateException rejection(PendingUpdate update, Message response) {
        int rcode = response.getRcode();
        String name = update.changes().get(0).name();
        boolean keyKnown = response.getTSIG() != null;
        if (keyKnown && (rcode == Rcode.REFUSED || rcode == Rcode.NOTAUTH)) {
            return new UpdateRefusedException(update.zone(), name, rcode, "not authorised: the server knows key "
                    + options.key().name() + " (it signed its answer with it) but does not let it update " + name);
        }
        if (rcode == Rcode.NOTAUTH) {
            return new TsigRejectedException(update.zone(), name, rcode, "the server did not accept our key "
                    + options.key().name());
        }
        return new UpdateRefusedException(update.zone(), name, rcode, "the server refused the update");
    }

    /** No usable answer: a timeout keeps the update pending (for a replay); any other failure is final. */
    private CompletableFuture<UpdateResult> unanswered(PendingUpdate update, Throwable error) {
        Throwable cause = DnsQueries.rootCause(error);
        CompletableFuture<Void> recorded = cause instanceof DnsTimeoutException
                ? CompletableFuture.completedFuture(null) : done(update, "failed: " + cause.getMessage());
        return recorded.thenApply(v -> {
            throw new CompletionException(cause);
        });
    }

    /** Marks the update answered. Not synced on its own: lost in a crash, it only causes a harmless replay. */
    private CompletableFuture<Void> done(PendingUpdate update, String outcome) {
        journal.doneUnsynced(update.id(), outcome);
        return CompletableFuture.completedFuture(null);
    }

    private CompletableFuture<UpdateResult> serialAfter(PendingUpdate update, boolean alreadyApplied) {
        return CompletableFuture.completedFuture(new UpdateResult(update.id(), update.zone(), update.changes(),
                alreadyApplied, -1, List.of(), Duration.ZERO));
    }


    static boolean isPrerequisiteFailure(int rcode) {
        return rcode == Rcode.NXRRSET || rcode == Rcode.YXRRSET || rcode == Rcode.NXDOMAIN || rcode == Rcode.YXDOMAIN;
    }

    /**
     * After a failed prerequisite: true if the server already holds what we wanted (our own earlier delivery),
     * otherwise fails with a conflict or a not-owner error saying what it holds.
     */
    private CompletableFuture<Boolean> inspect(PendingUpdate update, int rcode) {
        List<CompletableFuture<DnsQueries.Rrset>> sets = new ArrayList<>();
        for (RrsetChange change : update.changes()) {
            sets.add(queries.rrset(options.primary(), change.owner(), change.typeCode()));
        }
        String ownerTxt = DdnsOptions.ownerTxt(update.owner());
        CompletableFuture<DnsQueries.Rrset> txt = ownerTxt == null ? CompletableFuture.completedFuture(null)
                : queries.rrset(options.primary(), update.changes().get(0).owner(), Type.TXT);
        return CompletableFuture.allOf(sets.toArray(CompletableFuture[]::new)).thenCombine(txt, (v, txtSet) -> {
            String name = update.changes().get(0).name();
            boolean applied = true;
            List<String> held = new ArrayList<>();
            for (int i = 0; i < sets.size(); i++) {
                RrsetChange change = update.changes().get(i);
                DnsQueries.Rrset set = sets.get(i).join();
                held.add(set.describe(change.typeCode()));
                applied &= set.holds(change.desired(), change.ttl());
            }
            if (applied) {
                return true;
            }
            if (txtSet != null) {
                List<String> expected = List.of(normaliseTxt(update.changes().get(0).owner(), ownerTxt));
                if (!txtSet.rdata().equals(expected)) {
                    throw new NotOwnerException(update.zone(), name, rcode, "the record is not owned by "
                            + update.owner() + ", it was not touched", List.of(txtSet.describe(Type.TXT)));
                }
            }
            throw new ConflictException(update.zone(), name, rcode,
                    "the record no longer holds what the update expected, it was not touched", held);
        });
    }

    private static String normaliseTxt(Name owner, String txt) {
        return UpdateMessages.record(owner, Type.TXT, 0, txt).rdataToString();
    }
}
