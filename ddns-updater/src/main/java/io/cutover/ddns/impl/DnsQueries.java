package io.cutover.ddns.impl;

import io.cutover.ddns.DdnsOptions;
import io.cutover.ddns.DnsTimeoutException;
import io.cutover.ddns.DnsUpdateException;
import io.cutover.ddns.RrsetChange;
import io.cutover.ddns.UpdateRefusedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The queries the updater asks (unsigned, with bounded retries and backoff): the zone of a name, an RRset
 * with its TTL, a zone's serial, its authoritative servers.
 */
final class DnsQueries {
    private static final Logger LOG = LoggerFactory.getLogger(DnsQueries.class);

    private final DdnsOptions options;
    private final DnsTransport transport;
    private final Backoff backoff;
    private final Map<String, CompletableFuture<String>> zones = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<List<InetSocketAddress>>> nameServers = new ConcurrentHashMap<>();

    DnsQueries(DdnsOptions options, DnsTransport transport, Backoff backoff) {
        this.options = options;
        this.transport = transport;
        this.backoff = backoff;
    }

    CompletableFuture<List<InetSocketAddress>> authoritativeServers(String zone) {
        if (!options.verifyServers().isEmpty()) {
            return CompletableFuture.completedFuture(options.verifyServers());
        }
        return nameServers.computeIfAbsent(zone, z -> query(options.primary(), RrsetChange.absolute(z), Type.NS)
                .thenCompose(response -> {
                    List<CompletableFuture<List<InetAddress>>> addresses = new ArrayList<>();
                    for (Record record : response.getSection(Section.ANSWER)) {
                        if (record instanceof NSRecord ns) {
                            addresses.add(addressesOf(ns.getTarget(), response));
                        }
                    }
                    return CompletableFuture.allOf(addresses.toArray(CompletableFuture[]::new)).thenApply(v -> {
                        List<InetSocketAddress> servers = new ArrayList<>();
                        addresses.forEach(a -> a.join().forEach(ip -> servers.add(new InetSocketAddress(ip,
                                options.primary().getPort()))));
                        if (servers.isEmpty()) {
                            throw new DnsUpdateException(z, z, DnsUpdateException.NO_RCODE,
                                    "cannot find the addresses of the zone's name servers");
                        }
                        return List.copyOf(servers);
                    });
                })).whenComplete((v, e) -> {
                    if (e != null) {
                        nameServers.remove(zone);
                    }
                });
    }

    private CompletableFuture<List<InetAddress>> addressesOf(Name server, Message referral) {
        List<InetAddress> glue = new ArrayList<>();
        for (Record record : referral.getSection(Section.ADDITIONAL)) {
            if (record instanceof ARecord a && a.getName().equals(server)) {
                glue.add(a.getAddress());
            }
        }
        if (!glue.isEmpty()) {
            return CompletableFuture.completedFuture(glue);
        }
        return query(options.primary(), server, Type.A).thenApply(response -> response.getSection(Section.ANSWER).stream()
                .filter(r -> r instanceof ARecord).map(r -> ((ARecord) r).getAddress()).toList());
    }


    /** The zone that holds {@code name}: the configured one, or the owner of the SOA the primary returns. */
    CompletableFuture<String> zoneOf(String name) {
        Name owner = RrsetChange.absolute(name);
        if (options.zone() != null && owner.subdomain(RrsetChange.absolute(options.zone()))) {
            return CompletableFuture.completedFuture(options.zone());
        }
        return zones.computeIfAbsent(owner.toString(), n -> query(options.primary(), owner, Type.SOA).thenApply(response -> {
            for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
                for (Record record : response.getSection(section)) {
                    if (record instanceof SOARecord) {
                        return record.getName().toString();
                    }
                }
            }
            throw new UpdateRefusedException("?", n, response.getRcode(), "the server " + DnsTransport.hostPort(
                    options.primary()) + " is not authoritative for any zone holding the name");
        })).whenComplete((v, e) -> {
            if (e != null) {
                zones.remove(owner.toString());
            }
        });
    }

    String zoneGuess(Name name) {
        return options.zone() != null ? options.zone() : name.toString();
    }

    CompletableFuture<Long> serial(InetSocketAddress server, String zone) {
        Name apex = RrsetChange.absolute(zone);
        return query(server, apex, Type.SOA).thenApply(response -> {
            for (Record record : response.getSection(Section.ANSWER)) {
                if (record instanceof SOARecord soa && soa.getName().equals(apex)) {
                    return soa.getSerial();
                }
            }
            throw new UpdateRefusedException(zone, zone, response.getRcode(), DnsTransport.hostPort(server)
                    + " gave no SOA for the zone");
        });
    }

    CompletableFuture<Map<Integer, Rrset>> addresses(Name owner) {
        CompletableFuture<Rrset> a = rrset(options.primary(), owner, Type.A);
        CompletableFuture<Rrset> aaaa = rrset(options.primary(), owner, Type.AAAA);
        return a.thenCombine(aaaa, (v4, v6) -> {
            Map<Integer, Rrset> held = new LinkedHashMap<>();
            if (!v4.rdata().isEmpty()) {
                held.put(Type.A, v4);
            }
            if (!v6.rdata().isEmpty()) {
                held.put(Type.AAAA, v6);
            }
            return held;
        });
    }

    /** An RRset as a server serves it: sorted rdata, and its TTL when it is not empty. */
    record Rrset(List<String> rdata, Optional<Duration> ttl) {
        boolean holds(List<String> desired, Duration wantedTtl) {
            return rdata.equals(desired) && (desired.isEmpty() || ttl.orElseThrow().equals(wantedTtl));
        }

        String describe(int type) {
            return Type.string(type) + " " + (rdata.isEmpty() ? "(none)" : ttl.orElseThrow().getSeconds() + " "
                    + String.join(", ", rdata));
        }
    }

    CompletableFuture<Rrset> rrset(InetSocketAddress server, Name name, int type) {
        return query(server, name, type).thenApply(response -> {
            TreeSet<String> rdata = new TreeSet<>();
            Duration ttl = null;
            for (Record record : response.getSection(Section.ANSWER)) {
                if (record.getName().equals(name) && record.getType() == type) {
                    rdata.add(record.rdataToString());
                    ttl = Duration.ofSeconds(record.getTTL());
                }
            }
            return new Rrset(List.copyOf(rdata), Optional.ofNullable(ttl));
        });
    }

    CompletableFuture<Message> query(InetSocketAddress server, Name name, int type) {
        Record question = Record.newRecord(name, type, DClass.IN);
        return withRetries(zoneGuess(name), name.toString(), () -> transport.exchange(server, id -> {
            Message message = Message.newQuery(question);
            message.getHeader().setID(id);
            message.getHeader().unsetFlag(org.xbill.DNS.Flags.RD);
            return message.toWire(Message.MAXLENGTH);
        }, options.timeout()).thenApply(response -> {
            int rcode = response.message().getRcode();
            if (rcode == Rcode.REFUSED || rcode == Rcode.NOTAUTH) {
                throw new UpdateRefusedException(zoneGuess(name), name.toString(), rcode,
                        DnsTransport.hostPort(server) + " refused a query for " + Type.string(type));
            }
            if (rcode == Rcode.SERVFAIL) {
                throw new CompletionException(new TransientFailure("SERVFAIL from " + DnsTransport.hostPort(server)));
            }
            return response.message();
        }));
    }

    // ---------------------------------------------------------------- retries

    /** A failure worth another attempt (no answer, SERVFAIL). */
    static final class TransientFailure extends RuntimeException {
        TransientFailure(String message) {
            super(message);
        }
    }

    <T> CompletableFuture<T> withRetries(String zone, String name, Supplier<CompletableFuture<T>> attempt) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(zone, name, attempt, 1, result);
        return result;
    }

    private <T> void attempt(String zone, String name, Supplier<CompletableFuture<T>> attempt, int number,
                             CompletableFuture<T> result) {
        attempt.get().whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
                return;
            }
            Throwable cause = rootCause(error);
            boolean transientFailure = cause instanceof TimeoutException || cause instanceof TransientFailure;
            if (!transientFailure) {
                result.completeExceptionally(cause);
            } else if (number >= options.maxAttempts()) {
                result.completeExceptionally(new DnsTimeoutException(zone, name, DnsUpdateException.NO_RCODE,
                        "no answer after " + number + " attempts: " + cause.getMessage(), cause));
            } else {
                Duration delay = backoff.delay(number, ThreadLocalRandom.current());
                LOG.debug("attempt {} for {} failed ({}); retrying in {} ms", number, name, cause.getMessage(), delay.toMillis());
                transport.schedule(() -> attempt(zone, name, attempt, number + 1, result), delay);
            }
        });
    }

    static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
