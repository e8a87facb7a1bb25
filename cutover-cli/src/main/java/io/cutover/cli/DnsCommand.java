package io.cutover.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.ddns.DdnsOptions;
import io.cutover.ddns.DnsUpdater;
import io.cutover.ddns.PendingUpdate;
import io.cutover.ddns.RecordState;
import io.cutover.ddns.RrsetChange;
import io.cutover.ddns.TsigKey;
import io.cutover.ddns.TtlLowering;
import io.cutover.ddns.UpdateResult;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code cutover dns update|lower-ttl|restore-ttl|show|queue}: safe RFC 2136 updates signed with TSIG. */
@Command(name = "dns", mixinStandardHelpOptions = true,
        description = "Switch a VM's DNS records with RFC 2136 and TSIG: compare-and-swap, TTL handling, a durable queue.",
        subcommands = {DnsCommand.Update.class, DnsCommand.LowerTtl.class, DnsCommand.RestoreTtl.class,
                DnsCommand.Show.class, DnsCommand.Queue.class, DnsCommand.Claim.class})
final class DnsCommand extends GroupCommand {
    /** Where the journal lives without {@code --journal} or {@code --lab}. */
    static final Path DEFAULT_JOURNAL = Path.of("/var/lib/cutover/ddns");

    /** The options every subcommand shares: where to send, with which key, where to journal. */
    static final class Connection {
        @Option(names = "--server", paramLabel = "ADDR[:PORT]", description = "The zone's primary server.")
        String server;

        @Option(names = "--key", paramLabel = "FILE", description = "TSIG key file in BIND syntax (tsig-keygen).")
        Path key;

        @Option(names = "--lab", paramLabel = "NAME",
                description = "Use a lab's BIND and key, and talk from inside its client namespace.")
        String lab;

        @Option(names = "--zone", description = "The zone (default: found with a SOA query).")
        String zone;

        @Option(names = "--journal", paramLabel = "DIR",
                description = "Journal of pending updates (default: the lab's, else " + "/var/lib/cutover/ddns).")
        Path journal;

        @Option(names = "--owner", paramLabel = "ID",
                description = "Only touch names whose ownership TXT names this owner (external-dns style).")
        String owner;

        @Option(names = "--timeout", defaultValue = "1s", converter = DurationConverter.class,
                description = "Wait per attempt (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Option(names = "--attempts", defaultValue = "" + DdnsOptions.DEFAULT_MAX_ATTEMPTS,
                description = "Attempts while the server does not answer, with exponential backoff (default: ${DEFAULT-VALUE}).")
        int attempts;

        @Option(names = "--verify-timeout", defaultValue = "10s", converter = DurationConverter.class,
                description = "How long every authoritative server may take to serve the update (default: ${DEFAULT-VALUE}).")
        Duration verifyTimeout;

        @Option(names = "--verify-server", paramLabel = "ADDR[:PORT]",
                description = "Verify on these servers instead of the zone's NS set (repeatable).")
        List<String> verifyServers = new ArrayList<>();

        @Option(names = "--no-verify", description = "Do not verify on the authoritative servers.")
        boolean noVerify;

        /** Opens an updater where it can reach the server and runs {@code work} with it. */
        <T> T run(Function<DnsUpdater, T> work) {
            if (lab != null && !Lab.list().contains(lab)) {
                throw new IllegalArgumentException("no lab named " + lab + " (see: cutover lab status)");
            }
            Lab attached = lab == null ? null : Lab.attach(lab);
            String address = server != null ? server : attached != null ? attached.dnsServer() : null;
            if (address == null) {
                throw new IllegalArgumentException("say where to send updates: --server ADDR or --lab NAME");
            }
            Path keyFile = key != null ? key : attached != null ? attached.tsigKeyFile() : null;
            if (keyFile == null) {
                throw new IllegalArgumentException("say which TSIG key to sign with: --key FILE or --lab NAME");
            }
            DdnsOptions.Builder builder = DdnsOptions.builder(socketAddress(address), TsigKey.read(keyFile))
                    .zone(zone)
                    .owner(owner)
                    .timeout(timeout)
                    .maxAttempts(attempts)
                    .verify(!noVerify)
                    .verifyTimeout(verifyTimeout)
                    .verifyServers(verifyServers.stream().map(Connection::socketAddress).toList())
                    .journalDir(journal != null ? journal : attached != null ? attached.dir().resolve("ddns") : DEFAULT_JOURNAL);
            DdnsOptions options = builder.build();
            if (attached == null) {
                try (DnsUpdater dns = DnsUpdater.open(options)) {
                    return work.apply(dns);
                }
            }
            try (Netns ns = attached.netns("client")) {
                return ns.call(() -> {
                    try (DnsUpdater dns = DnsUpdater.open(options)) {
                        return work.apply(dns);
                    }
                });
            }
        }

        static InetSocketAddress socketAddress(String text) {
            String host = text;
            int port = DdnsOptions.DNS_PORT;
            Matcher m = Pattern.compile("^\\[?([0-9a-fA-F:.]+?)\\]?(?:[:#](\\d+))?$").matcher(text);
            if (text.chars().filter(c -> c == ':').count() <= 1 || text.startsWith("[") || text.contains("#")) {
                if (!m.matches()) {
                    throw new IllegalArgumentException("bad server address '" + text + "' (expected ADDR or ADDR:PORT)");
                }
                host = m.group(1);
                if (m.group(2) != null) {
                    port = Integer.parseInt(m.group(2));
                }
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("bad port in '" + text + "'");
            }
            return new InetSocketAddress(address(host), port);
        }
    }

    static InetAddress address(String text) {
        try {
            return io.cutover.support.IpLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'", e);
        }
    }

    /** Waits for {@code stage}; its failure is thrown as it is (a typed DNS error) for the error handler. */
    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    /**
     * {@code dns show --json}: the name, the server asked, its zone and serial, each RRset as the text form shows it
     * ({@code TYPE ttl rdata, rdata}) and the ownership TXT data.
     */
    static ObjectNode showJson(String name, RecordState state) {
        ObjectNode root = JsonNodeFactory.instance.objectNode().put("name", name).put("server", state.server())
                .put("zone", state.zone()).put("serial", state.serial());
        ArrayNode rrsets = root.putArray("rrsets");
        state.rrsets().forEach(rrsets::add);
        ArrayNode owner = root.putArray("owner");
        state.owner().forEach(owner::add);
        return root;
    }

    /** {@code dns queue} for people: the count, then a table of the pending updates and one of the remembered TTLs. */
    static void queueText(java.io.PrintWriter out, List<PendingUpdate> pending, Map<String, Duration> ttls) {
        out.println(pending.size() + " pending update(s)");
        if (!pending.isEmpty()) {
            Table updates = new Table("ID", "QUEUED", "ZONE", "CHANGES");
            pending.forEach(p -> updates.row("#" + p.id(), p.created(), p.zone() == null ? "(to find)" : p.zone(),
                    p.changes()));
            updates.print(out);
        }
        if (!ttls.isEmpty()) {
            Table remembered = new Table("NAME", "REMEMBERED TTL");
            ttls.forEach((name, ttl) -> remembered.row(name, ttl.toSeconds() + "s"));
            out.println();
            remembered.print(out);
        }
        out.flush();
    }

    /** {@code dns queue --json}: the pending updates, the remembered TTLs (seconds) and what a replay did. */
    static ObjectNode queueJson(List<PendingUpdate> pending, Map<String, Duration> ttls, List<UpdateResult> replayed) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode queued = root.putArray("pending");
        for (PendingUpdate p : pending) {
            ObjectNode update = queued.addObject().put("id", p.id()).put("created", p.created().toString())
                    .put("zone", p.zone()).put("owner", p.owner());
            p.changes().forEach(change -> update.withArray("changes").add(change.toString()));
        }
        ObjectNode remembered = root.putObject("rememberedTtls");
        ttls.forEach((name, ttl) -> remembered.put(name, ttl.toSeconds()));
        ArrayNode results = root.putArray("replayed");
        for (UpdateResult r : replayed) {
            results.addObject().put("id", r.id()).put("zone", r.zone()).put("serial", r.serial())
                    .put("alreadyApplied", r.alreadyApplied()).put("result", describe(r));
        }
        return root;
    }

    static String describe(UpdateResult r) {
        String verified = r.verifiedOn().isEmpty() ? "not verified" : "verified on " + String.join(", ", r.verifiedOn());
        return (r.alreadyApplied() ? "already applied" : "applied") + " in zone " + r.zone()
                + (r.serial() >= 0 ? " (serial " + r.serial() + ")" : "") + ", " + verified + " in "
                + String.format(Locale.ROOT, "%.1f ms", r.elapsed().toNanos() / 1e6);
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Replace NAME's address OLD by NEW, only if NAME holds exactly OLD (compare-and-swap).")
    static final class Update implements Runnable {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "NAME", description = "The VM's name, such as vm1.vms.cutover.test.")
        String name;

        @Option(names = "--old", required = true, description = "The address the name must hold now.")
        String oldAddress;

        @Option(names = "--new", required = true, description = "The address it gets.")
        String newAddress;

        @Option(names = "--ttl", converter = DurationConverter.class,
                description = "TTL of the new record (default: keep the TTL served now).")
        Duration ttl;

        @Option(names = "--ptr-zone", paramLabel = "ZONE",
                description = "Also move the PTR record in this reverse zone (compare-and-swap too).")
        String ptrZone;

        @Option(names = "--dry-run", description = "Print the exact (signed) UPDATE message instead of sending it.")
        boolean dryRun;

        @Override
        public void run() {
            InetAddress from = address(oldAddress);
            InetAddress to = address(newAddress);
            RrsetChange change = RrsetChange.switchAddress(name, from, to, ttl == null ? RrsetChange.KEEP_TTL : ttl);
            connection.run(dns -> {
                if (dryRun) {
                    System.out.println(dns.dryRun(List.of(change)));
                    return null;
                }
                UpdateResult result = await(dns.apply(List.of(change)));
                System.out.println(change.name() + " " + change.type() + " " + from.getHostAddress() + " -> "
                        + to.getHostAddress() + ": " + describe(result));
                if (ptrZone != null) {
                    movePtr(dns, from, to, change.name());
                }
                return null;
            });
        }

        private void movePtr(DnsUpdater dns, InetAddress from, InetAddress to, String target) {
            for (String reverse : List.of(org.xbill.DNS.ReverseMap.fromAddress(from).toString(),
                    org.xbill.DNS.ReverseMap.fromAddress(to).toString())) {
                if (!RrsetChange.absolute(reverse).subdomain(RrsetChange.absolute(ptrZone))) {
                    throw new IllegalArgumentException(reverse + " is not in the reverse zone " + ptrZone);
                }
            }
            Duration ptrTtl = ttl == null ? Duration.ofSeconds(RrsetChange.DEFAULT_TTL_S) : ttl;
            for (UpdateResult result : await(dns.switchPtr(target, from, to, ptrTtl))) {
                System.out.println("PTR " + result.changes().stream().map(c -> c.name()).toList() + ": " + describe(result));
            }
        }
    }

    @Command(name = "lower-ttl", mixinStandardHelpOptions = true,
            description = "Lower the TTL of NAME's A/AAAA records ahead of a move, remembering the old one.")
    static final class LowerTtl implements Runnable {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--ttl", defaultValue = "5s", converter = DurationConverter.class,
                description = "The TTL during the move (default: ${DEFAULT-VALUE}).")
        Duration ttl;

        @Override
        public void run() {
            TtlLowering lowering = connection.run(dns -> await(dns.lowerTtl(name, ttl)));
            long wait = Math.max(0, Duration.between(Instant.now(), lowering.readyAt()).toSeconds());
            System.out.println(lowering.name() + " TTL " + lowering.oldTtl().toSeconds() + "s -> "
                    + lowering.newTtl().toSeconds() + "s; DNS ready at " + lowering.readyAt() + " (in " + wait + " s)");
        }
    }

    @Command(name = "restore-ttl", mixinStandardHelpOptions = true,
            description = "Put back the TTL that lower-ttl remembered for NAME.")
    static final class RestoreTtl implements Runnable {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public void run() {
            UpdateResult result = connection.run(dns -> await(dns.restoreTtl(name)));
            System.out.println(RrsetChange.absolute(name) + " TTL restored to " + result.changes().get(0).ttl().toSeconds()
                    + "s: " + describe(result));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show what the primary serves for NAME.")
    static final class Show implements Runnable {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--json", description = "Print one JSON object (name, server, zone, serial, rrsets, owner), "
                + "for scripts.")
        boolean json;

        @Override
        public void run() {
            RecordState state = connection.run(dns -> await(dns.show(name)));
            if (json) {
                System.out.println(showJson(RrsetChange.absolute(name).toString(), state).toPrettyString());
                return;
            }
            System.out.println(RrsetChange.absolute(name) + " on " + state.server() + " (zone " + state.zone() + ", serial "
                    + state.serial() + ")");
            if (state.rrsets().isEmpty()) {
                System.out.println("  (no A, AAAA, PTR or TXT records)");
            }
            state.rrsets().forEach(line -> System.out.println("  " + line));
            state.owner().forEach(owner -> System.out.println("  owner " + owner));
        }
    }

    @Command(name = "claim", mixinStandardHelpOptions = true,
            description = "Mark NAME as ours (--owner ID) with an ownership TXT record, only if it has no TXT yet.")
    static final class Claim implements Runnable {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public void run() {
            if (connection.owner == null) {
                throw new IllegalArgumentException("claim needs --owner ID");
            }
            UpdateResult result = connection.run(dns -> await(dns.claim(name)));
            System.out.println(RrsetChange.absolute(name) + " claimed for " + connection.owner + ": " + describe(result));
        }
    }

    @Command(name = "queue", mixinStandardHelpOptions = true,
            description = "List the updates the server has not answered yet (and remembered TTLs); --replay sends them.")
    static final class Queue implements Runnable {
        @Mixin
        Connection connection;

        @Option(names = "--replay", description = "Send every pending update again (each is a compare-and-swap).")
        boolean replay;

        @Option(names = "--json", description = "Print one JSON object (pending, rememberedTtls, replayed), for scripts.")
        boolean json;

        @Override
        public void run() {
            connection.run(dns -> {
                List<PendingUpdate> pending = dns.pending();
                if (json) {
                    System.out.println(queueJson(pending, dns.rememberedTtls(),
                            replay && !pending.isEmpty() ? await(dns.replay()) : List.of()).toPrettyString());
                    return null;
                }
                java.io.PrintWriter out = new java.io.PrintWriter(System.out, true);
                queueText(out, pending, dns.rememberedTtls());
                if (replay && !pending.isEmpty()) {
                    Table replayed = new Table("REPLAYED", "RESULT");
                    await(dns.replay()).forEach(r -> replayed.row("#" + r.id(), describe(r)));
                    out.println();
                    replayed.print(out);
                }
                return null;
            });
        }
    }

}
