package io.cutover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.CutoverStage;
import io.cutover.demo.LabAgents;
import io.cutover.lab.Lab;
import io.cutover.support.HttpUnreachableException;
import io.cutover.support.JsonHttpClient;
import io.cutover.support.Netns;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.impl.MoveJson;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A tunnel daemon ({@code cutover tunnel serve}) in a lab node, as an operator runs it: a JVM and a heap of its own,
 * without a journal, driven over its API on the node's loopback with a token of its own, with the JVM options of
 * {@value #JVM_OPTIONS}. {@link #close()} stops it.
 */
final class TunnelDaemonProcess implements AutoCloseable {
    /** The daemons' own JVM options (such as a flight recording), as {@link ScaleBench#jvmOptions} reads them. */
    static final String JVM_OPTIONS = "CUTOVER_BENCH_DAEMON_OPTS";
    private static final int API_PORT = 7600;
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private final Process process;
    private final JsonHttpClient api;
    private final List<String> command;

    private TunnelDaemonProcess(Process process, JsonHttpClient api, List<String> command) {
        this.process = process;
        this.api = api;
        this.command = command;
    }

    /** Starts the daemon in {@code node}, its tunnel on {@code listen} (address:port), and waits until it answers. */
    static TunnelDaemonProcess start(Lab lab, String node, String listen, Path dir) throws IOException,
            InterruptedException {
        Files.createDirectories(dir);
        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Path tokenFile = Files.writeString(dir.resolve(node + ".token"), token);
        Path config = Files.writeString(dir.resolve(node + ".yaml"), "listen: " + listen + "\napi: 127.0.0.1:"
                + API_PORT + "\ntokenFile: " + tokenFile + "\n");
        List<String> command = LabAgents.launcher()
                .withJvmOptions(ScaleBench.jvmOptions(System.getenv(JVM_OPTIONS)).toArray(String[]::new))
                .withArgs("tunnel", "serve", "--config", config.toString()).toList();
        Process process = lab.spawn(node, command, dir.resolve(node + ".log"));
        JsonHttpClient api = JsonHttpClient.builder(URI.create("http://127.0.0.1:" + API_PORT + "/v1/"))
                .bearerToken(token).threads(Netns.threadFactory(lab.namespace(node))).build();
        TunnelDaemonProcess daemon = new TunnelDaemonProcess(process, api, command);
        try {
            daemon.awaitReady(node, dir.resolve(node + ".log"));
        } catch (IOException | InterruptedException | RuntimeException e) {
            daemon.close();
            throw e;
        }
        return daemon;
    }

    private void awaitReady(String node, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (true) {
            try {
                api.send("GET", "moves", null, Duration.ofSeconds(2)).requireStatus(200);
                return;
            } catch (HttpUnreachableException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the tunnel daemon of " + node + " did not answer (log: " + log
                            + "): " + Files.readString(log).lines().reduce((a, b) -> b).orElse(""));
                }
                Thread.sleep(100);
            }
        }
    }

    /** The command line that started it, for the report. */
    List<String> command() {
        return command;
    }

    /** {@code POST /v1/moves}: the move, its key as base64 if it is sealed. */
    void add(MoveSpec spec) {
        ObjectNode body = MoveJson.write(spec);
        if (spec.key() != null) {
            body.remove("keyFile");
            body.put("key", spec.key().base64());
        }
        api.send("POST", "moves", body, Duration.ofSeconds(10)).requireStatus(201);
    }

    /** {@code POST /v1/moves/ID/events}: brings the move to {@code stage}. */
    void stage(String moveId, CutoverStage stage) {
        api.send("POST", "moves/" + moveId + "/events", Map.of("stage", stage.name()), Duration.ofSeconds(10))
                .requireStatus(200);
    }

    /** {@code GET /v1/moves/ID}: its state, counters and drops. */
    JsonNode status(String moveId) {
        return api.send("GET", "moves/" + moveId, null, Duration.ofSeconds(10)).requireStatus(200).body();
    }

    /** {@code GET /v1/stats}: the daemon's counters, its drops by reason among them ({@code totalDrops}). */
    JsonNode stats() {
        return api.send("GET", "stats", null, Duration.ofSeconds(10)).requireStatus(200).body();
    }

    @Override
    public void close() throws InterruptedException {
        api.close();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
