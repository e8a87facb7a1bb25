package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.agent.steps.TunnelDaemonClient;
import io.cutover.tunnel.DaemonConfig;
import io.cutover.tunnel.TunnelDaemon;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code cutover tunnel serve|add|remove|list|stats|event}: run or drive the brownout tunnel forwarder. */
@Command(name = "tunnel", mixinStandardHelpOptions = true,
        description = "Run or drive the brownout tunnel forwarder.",
        subcommands = {TunnelCommand.Serve.class, TunnelCommand.Add.class, TunnelCommand.Remove.class,
                TunnelCommand.ListMoves.class, TunnelCommand.Stats.class, TunnelCommand.Event.class})
final class TunnelCommand extends GroupCommand {
    static final ObjectMapper JSON = new ObjectMapper();

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Run the forwarder in the foreground (logs to stdout; SIGTERM flushes and exits).")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "The daemon's YAML configuration (tunnel.yaml).")
        Path config;

        @Override
        public Integer call() throws InterruptedException {
            DaemonConfig parsed = DaemonConfig.load(config);
            DaemonLogging.apply(parsed.logLevel());
            TunnelDaemon daemon = TunnelDaemon.start(parsed);
            io.cutover.support.SystemdNotify.ready("api on port " + daemon.apiPort());
            Thread hook = new Thread(daemon::close, "tunnel-sigterm");
            Runtime.getRuntime().addShutdownHook(hook);
            daemon.awaitClose();
            return ExitCode.OK;
        }
    }

    /** Options shared by the client subcommands. */
    abstract static class Client implements Callable<Integer> {
        @Option(names = "--api", defaultValue = "http://" + DaemonConfig.DEFAULT_API,
                description = "The daemon's REST API (default: ${DEFAULT-VALUE}).")
        String api;

        @Option(names = "--token-file", description = "A file holding the daemon's bearer token (its tokenFile).")
        java.nio.file.Path tokenFile;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        /** Where the command prints: standard output, or what a test gave the command line. */
        java.io.PrintWriter out() {
            return spec.commandLine().getOut();
        }

        void printJson(JsonNode value) {
            out().println(value.toPrettyString());
            out().flush();
        }

        /** {@code method path} under the daemon's {@code /v1}; its JSON answer when its status is one of {@code ok}. */
        JsonNode request(String method, String path, JsonNode body, int... ok) {
            URI uri;
            try {
                uri = URI.create(api.replaceAll("/+$", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--api: not a URL: " + api, e);
            }
            String token = TokenFile.read(tokenFile);
            try {
                return new TunnelDaemonClient(uri, token).call(method, path, body, ok).body();
            } catch (TunnelDaemonClient.DaemonException e) {
                if (e.status() >= 400 && e.status() < 500) {
                    throw new IllegalArgumentException(e.detail(), e);
                }
                throw e;
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Register a move with the daemon.")
    static final class Add extends Client {
        @Option(names = "--id", required = true, description = "The move's id (the migration id).") String id;
        @Option(names = "--vni", required = true, description = "VXLAN network identifier, 1..16777215.") int vni;
        @Option(names = "--role", required = true, description = "source or destination.") String role;
        @Option(names = "--mode", defaultValue = "L2", description = "L2 or L3 (default: ${DEFAULT-VALUE}).") String mode;
        @Option(names = "--vm-mac", required = true, description = "The VM's MAC.") String vmMac;
        @Option(names = "--vm-address", required = true, description = "A registered VM address (repeatable).") List<String> vmAddresses;
        @Option(names = "--new-address", description = "L3: the VM's new address (inner destination rewritten).") String newAddress;
        @Option(names = "--reverse", description = "L3: tunnel the VM's replies from its old address back to the old site "
                + "(for ingress filtering; default: triangle routing).") boolean reverse;
        @Option(names = "--peer", required = true, description = "The other end, address[:port].") String peer;
        @Option(names = "--iface", required = true, description = "Source: interface to catch on; destination: to inject on.") String iface;
        @Option(names = "--key-file", description = "AES-GCM key file (base64 of 16 or 32 bytes), the same at both ends: "
                + "sealed mode, the default. It must lie in the daemon's keyDir.") String keyFile;
        @Option(names = "--insecure-plain", description = "Plain VXLAN without a key (what kernel VXLAN endpoints speak): "
                + "frames travel in clear and unauthenticated. Without it a move needs --key-file.") boolean insecurePlain;
        @Option(names = "--hold-packets", description = "Blackout buffer bound in packets.") Integer holdPackets;
        @Option(names = "--hold-bytes", description = "Blackout buffer bound in bytes.") Long holdBytes;
        @Option(names = "--idle", description = "Drain: end once this long without traffic (like 30s), and, with a "
                + "DNS rule, once resolvers have expired the old address.") String idle;
        @Option(names = "--hard-max", description = "Drain: end this long after activation whatever the traffic "
                + "(like 10m).") String hardMax;
        @Option(names = "--dns-ttl", description = "Drain: the DNS rule, resolvers hold the old address this long after "
                + "the DNS switch (DRAINING); until then idleness does not end the move.") String dnsTtl;
        @Option(names = "--stage", description = "Bring the move to this stage at once (like ACTIVATED).") String stage;

        @Override
        public Integer call() throws Exception {
            ObjectNode move = JSON.createObjectNode();
            move.put("id", id).put("vni", vni).put("role", role).put("mode", mode).put("vmMac", vmMac)
                    .put("peer", peer).put("iface", iface);
            vmAddresses.forEach(move.putArray("vmAddresses")::add);
            if (newAddress != null) {
                move.put("newAddress", newAddress);
            }
            if (reverse) {
                move.put("reverse", true);
            }
            if (keyFile != null && insecurePlain) {
                throw new ParameterException(spec.commandLine(), "--key-file or --insecure-plain, not both");
            }
            if (keyFile == null && !insecurePlain) {
                throw new ParameterException(spec.commandLine(), "a move is sealed: give --key-file, or --insecure-plain "
                        + "for plain VXLAN (a kernel VXLAN peer)");
            }
            if (keyFile != null) {
                move.put("keyFile", Path.of(keyFile).toAbsolutePath().toString());
            } else {
                move.put("insecurePlain", true);
            }
            if (holdPackets != null || holdBytes != null) {
                ObjectNode hold = move.putObject("hold");
                if (holdPackets != null) {
                    hold.put("packets", holdPackets);
                }
                if (holdBytes != null) {
                    hold.put("bytes", holdBytes);
                }
            }
            if (idle != null || hardMax != null || dnsTtl != null) {
                ObjectNode drain = move.putObject("drain");
                if (idle != null) {
                    drain.put("idle", idle);
                }
                if (hardMax != null) {
                    drain.put("hardMax", hardMax);
                }
                if (dnsTtl != null) {
                    drain.put("dnsTtl", dnsTtl);
                }
            }
            if (stage != null) {
                move.put("stage", stage);
            }
            JsonNode status = request("POST", "moves", move, 201);
            System.out.println(line(status));
            return ExitCode.OK;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "End a move and forget it.")
    static final class Remove extends Client {
        @Parameters(paramLabel = "ID", description = "The move.") String id;

        @Override
        public Integer call() throws Exception {
            request("DELETE", "moves/" + id, null, 204);
            System.out.println("removed " + id);
            return ExitCode.OK;
        }
    }

    @Command(name = "event", mixinStandardHelpOptions = true,
            description = "Apply a cutover stage to a move (SWITCHOVER, ACTIVATED, DRAINING, COMPLETED, FAILED).")
    static final class Event extends Client {
        @Parameters(index = "0", paramLabel = "ID", description = "The move.") String id;
        @Parameters(index = "1", paramLabel = "STAGE", description = "The stage.") String stage;

        @Override
        public Integer call() throws Exception {
            JsonNode status = request("POST", "moves/" + id + "/events", JSON.createObjectNode().put("stage", stage), 200);
            System.out.println(line(status));
            return ExitCode.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the moves with their state and main counters.")
    static final class ListMoves extends Client {
        @Option(names = "--json", description = "Print the moves as the daemon gives them (a JSON array), for scripts.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode moves = request("GET", "moves", null, 200);
            if (json) {
                printJson(moves);
                return ExitCode.OK;
            }
            movesTable(moves).print(out());
            return ExitCode.OK;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Print the counters: every move's, the totals since the daemon started and the drops by reason "
                    + "(or one move's counters and drops).")
    static final class Stats extends Client {
        @Parameters(arity = "0..1", paramLabel = "ID", description = "A move (default: everything).") String id;

        @Option(names = "--json", description = "Print the daemon's JSON (GET /v1/stats, or /v1/moves/ID), for scripts.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode stats = request("GET", id == null ? "stats" : "moves/" + id, null, 200);
            if (json) {
                printJson(stats);
                return ExitCode.OK;
            }
            java.io.PrintWriter out = out();
            if (id == null) {
                movesTable(stats.path("moves")).print(out);
                out.println();
                countersTable(stats.path("totals")).print(out);
                out.println();
                Table drops = new Table("DROP", "TOTAL", "UNATTRIBUTED");
                stats.path("totalDrops").fields().forEachRemaining(d -> drops.row(d.getKey(), d.getValue().asLong(),
                        stats.path("unattributedDrops").path(d.getKey()).asLong()));
                drops.print(out);
            } else {
                movesTable(JSON.createArrayNode().add(stats)).print(out);
                out.println();
                countersTable(stats.path("counters")).print(out);
                out.println();
                Table drops = new Table("DROP", "COUNT");
                stats.path("drops").fields().forEachRemaining(d -> drops.row(d.getKey(), d.getValue().asLong()));
                drops.print(out);
            }
            return ExitCode.OK;
        }
    }

    /** One row a move, from the daemon's statuses: its identity, state, main counters and all its drops. */
    static Table movesTable(JsonNode statuses) {
        Table table = new Table("ID", "ROLE", "MODE", "VNI", "STATE", "SENT", "INJECTED", "HELD", "DROPS");
        for (JsonNode status : statuses) {
            JsonNode move = status.path("move");
            JsonNode counters = status.path("counters");
            long drops = 0;
            for (JsonNode n : status.path("drops")) {
                drops += n.asLong();
            }
            table.row(move.path("id").asText(), move.path("role").asText(), move.path("mode").asText(),
                    move.path("vni").asInt(), status.path("state").asText(), counters.path("sent").asLong(),
                    counters.path("injected").asLong(), counters.path("held").asLong(), drops);
        }
        return table;
    }

    private static Table countersTable(JsonNode counters) {
        Table table = new Table("COUNTER", "VALUE");
        counters.fields().forEachRemaining(c -> table.row(c.getKey(), c.getValue().asLong()));
        return table;
    }

    static String line(JsonNode status) {
        JsonNode move = status.path("move");
        JsonNode counters = status.path("counters");
        long drops = 0;
        for (JsonNode n : status.path("drops")) {
            drops += n.asLong();
        }
        return String.format("%-16s %-11s %-3s %8d %-10s %10d %10d %10d %8d", move.path("id").asText(),
                move.path("role").asText(), move.path("mode").asText(), move.path("vni").asInt(),
                status.path("state").asText(), counters.path("sent").asLong(), counters.path("injected").asLong(),
                counters.path("held").asLong(), drops);
    }
}
