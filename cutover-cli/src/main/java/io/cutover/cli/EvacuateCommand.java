package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.evacuation.EvacuationRequest;
import io.cutover.support.JsonAnswer;
import io.cutover.support.TlsFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code cutover evacuate HOST --to HOST[,HOST...] --parallel N --vms FILE}: every VM of a host moved by its agent
 * ({@code POST /v1/evacuations}), each by a cutover of its own, then a table of each VM's move and the summary.
 */
@Command(name = "evacuate", mixinStandardHelpOptions = true,
        description = {"Move every VM named in --vms from HOST to the --to hosts, one cutover each, at most --parallel "
                + "at once, through HOST's agent; wait for the end and print each VM's move and the summary.",
                "The agent keeps no inventory of its VMs: --vms is a JSON array of cutover requests (POST /v1/cutovers's "
                        + "body) without 'source'; a VM without 'destination' gets the --to host with the fewest moves "
                        + "in flight.",
                "Exits 1 if any VM did not complete (it was rolled back and runs on at HOST, or was refused)."})
final class EvacuateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(500);

    @Parameters(index = "0", paramLabel = "HOST", description = "The host to evacuate (its agent is at --url).")
    String host;

    @Option(names = "--to", required = true, split = ",", paramLabel = "HOST[,HOST...]",
            description = "The hosts the VMs move to.")
    List<String> destinations;

    @Option(names = "--parallel", defaultValue = "" + EvacuationRequest.DEFAULT_PARALLEL, paramLabel = "N",
            description = "Cutovers at once, 1 to " + EvacuationRequest.MAX_PARALLEL + " (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--vms", required = true, paramLabel = "FILE",
            description = "A JSON array of the VMs' cutover requests, without 'source'.")
    Path vms;

    @Option(names = "--url", defaultValue = "http://" + AgentConfig.DEFAULT_LISTEN,
            description = "HOST's agent's REST API (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token-file", required = true, description = "A file holding HOST's agent's own bearer token.")
    Path tokenFile;

    @Option(names = "--tls-ca", description = "The CA of an https agent's certificate (default: the JDK's CAs).")
    Path tlsCa;

    @Option(names = "--wait", defaultValue = "60m", converter = DurationConverter.class,
            description = "How long to wait for the end before giving up (the moves go on) (default: ${DEFAULT-VALUE}).")
    Duration wait;

    @Option(names = "--json", description = "Print the agent's JSON of the ended evacuation, for scripts.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (parallel < 1 || parallel > EvacuationRequest.MAX_PARALLEL) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parallel: expected 1 to "
                    + EvacuationRequest.MAX_PARALLEL + ", not " + parallel);
        }
        URI api;
        try {
            api = URI.create(url.replaceAll("/+$", "") + "/v1/");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--url: not a URL: " + url, e);
        }
        ObjectNode body = JSON.createObjectNode().put("source", host).put("parallel", parallel);
        destinations.forEach(body.putArray("destinations")::add);
        body.set("vms", readVms());
        String token = TokenFile.read(tokenFile);
        TlsFiles tls = tlsCa == null ? null : new TlsFiles(null, null, tlsCa, false);
        String unreachable = "no agent answers at " + url + " (HOST's agent: 'cutover agent --config host.yaml')";
        JsonAnswer started = DaemonRest.send(api, token, tls, "POST", "evacuations", body, unreachable);
        PrintWriter err = spec.commandLine().getErr();
        if (started.status() / 100 != 2) {
            return DaemonRest.refused(started, err);
        }
        JsonNode evacuation = started.body();
        String id = evacuation.path("id").asText();
        err.printf("evacuation %s: %d VMs from %s to %s, %d at once%n", id, body.path("vms").size(), host,
                String.join(",", destinations), parallel);
        err.flush();
        long deadline = System.nanoTime() + wait.toNanos();
        while (!evacuation.path("ended").asBoolean()) {
            if (System.nanoTime() > deadline) {
                err.println("cutover: evacuation " + id + " did not end within " + wait + "; its moves go on (GET "
                        + "/v1/evacuations/" + id + ")");
                err.flush();
                return ExitCode.FAILED;
            }
            Thread.sleep(POLL.toMillis());
            JsonAnswer now = DaemonRest.send(api, token, tls, "GET", "evacuations/" + id, null, unreachable);
            if (now.status() != 200) {
                return DaemonRest.refused(now, err);
            }
            evacuation = now.body();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(evacuation.toPrettyString());
        } else {
            table(evacuation.path("vms")).print(out);
            out.println(summary(evacuation));
        }
        out.flush();
        JsonNode summary = evacuation.path("summary");
        return summary.path("completed").asInt() == summary.path("vms").asInt() ? ExitCode.OK : ExitCode.FAILED;
    }

    /** The VMs from {@code --vms}: a JSON array of objects. */
    private JsonNode readVms() {
        JsonNode read;
        try {
            read = JSON.readTree(vms.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("--vms: cannot read " + vms + ": " + e.getMessage(), e);
        }
        if (read == null || !read.isArray() || read.isEmpty()) {
            throw new IllegalArgumentException("--vms " + vms + ": expected a JSON array of the VMs' cutover requests");
        }
        return read;
    }

    /** One row a VM: where it went, its cutover, how its move ended, how long it took, QEMU's downtime, why it failed. */
    static Table table(JsonNode vms) {
        Table table = new Table("VM", "DESTINATION", "CUTOVER", "OUTCOME", "TIME", "DOWNTIME", "FAILURE");
        for (JsonNode vm : vms) {
            table.row(vm.path("vm").asText(), vm.path("destination").asText(null), vm.path("cutover").asText(null),
                    vm.path("outcome").asText(), millis(vm.path("durationMs")), millis(vm.path("downtimeMs")),
                    vm.path("failure").asText(null));
        }
        return table;
    }

    /** {@code 3 VMs in 41.2 s: 2 completed, 1 rolled back, 0 refused}, and the unfinished if any. */
    static String summary(JsonNode evacuation) {
        JsonNode summary = evacuation.path("summary");
        String line = String.format(Locale.ROOT, "%d VMs in %.1f s: %d completed, %d rolled back, %d refused",
                summary.path("vms").asInt(), evacuation.path("durationMs").asLong() / 1000.0,
                summary.path("completed").asInt(), summary.path("rolled_back").asInt(),
                summary.path("refused").asInt());
        int unfinished = summary.path("unfinished").asInt();
        return unfinished == 0 ? line : line + ", " + unfinished + " unfinished (they go on at the agent)";
    }

    private static String millis(JsonNode value) {
        if (!value.isNumber()) {
            return null;
        }
        long ms = value.asLong();
        return ms < 10_000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
