package io.cutover.it.agent;

import io.cutover.it.Launcher;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real processes of the agent ITs, each the {@code cutover} launcher jar: the SDN controller serving a lab
 * ({@code cutover sdn serve --lab}) and host agents ({@code cutover agent --config host.yaml}, in the root namespace,
 * reaching the lab's parts through the namespaces their config names). Everything started is stopped by
 * {@link #close()}.
 */
final class LabProcesses implements AutoCloseable {
    /** The bearer token of every agent. */
    static final String TOKEN = "it-token-0123456789abcdef";

    private static final Pattern CONTROLLER_READY = Pattern.compile("rest (http://\\S+/v1)");
    private static final Pattern AGENT_READY = Pattern.compile("listening on (http://\\S+/v1)");
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);

    private final Lab lab;
    private final Path dir;
    private final List<Process> started = new ArrayList<>();
    private final Map<String, Process> agents = new LinkedHashMap<>();
    private String[] controllerArgs;
    private Process controller;
    private int logs;

    LabProcesses(Lab lab, Path dir) {
        this.lab = lab;
        this.dir = dir;
    }

    /** Starts the controller on a free OpenFlow port of the lab's fabric namespace; returns its REST API's root. */
    String startController() throws Exception {
        int openflow;
        try (Netns fabric = lab.netns(Topology.FABRIC)) {
            openflow = fabric.call(LabProcesses::freePort);
        }
        controllerArgs = new String[] {"sdn", "serve", "--lab", lab.name(), "--listen", "127.0.0.1:" + openflow,
                "--rest", "127.0.0.1:" + freePort(), "--state", dir.resolve("sdn-state").toString()};
        return runController();
    }

    /** Kills the controller (SIGKILL): the switches keep their flows (fail-mode secure). */
    void killController() throws InterruptedException {
        controller.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts the controller again, with the same ports and journal. */
    String restartController() throws Exception {
        return runController();
    }

    private String runController() throws Exception {
        Path log = dir.resolve("sdn-" + (++logs) + ".log");
        controller = start(log, null, controllerArgs);
        return awaitLine(controller, log, CONTROLLER_READY);
    }

    /**
     * Starts the agent of {@code host} on {@code port} (of 127.0.0.1) with {@code sections} (YAML) after its common
     * keys; returns its API's root.
     */
    URI startAgent(String host, int port, Map<String, Integer> peers, String sections, String... options)
            throws Exception {
        Map<String, String> urls = new LinkedHashMap<>();
        peers.forEach((peer, peerPort) -> urls.put(peer, "http://127.0.0.1:" + peerPort));
        URI api = startAgent(host, null, "127.0.0.1:" + port, urls, sections, options);
        new AgentApi(api).send("GET", "health", null);
        return api;
    }

    /**
     * Starts the agent of {@code host} inside {@code namespace} (or the root one), listening on {@code listen}, with
     * its peers' URLs and {@code sections} (YAML); returns its API's root as it prints it.
     */
    URI startAgent(String host, String namespace, String listen, Map<String, String> peers, String sections,
                   String... options) throws Exception {
        StringBuilder yaml = new StringBuilder("host: " + host + "\nlisten: " + listen + "\ntoken: " + TOKEN
                + "\nmemory-mib: 4096\npeers:\n");
        peers.forEach((peer, url) -> yaml.append("  ").append(peer).append(": ").append(url).append('\n'));
        yaml.append(sections);
        Path config = Files.writeString(dir.resolve(host + ".yaml"), yaml.toString());
        Path log = dir.resolve(host + "-" + (++logs) + ".log");
        List<String> args = new ArrayList<>(List.of("agent", "--config", config.toString()));
        args.addAll(List.of(options));
        Process agent = start(log, namespace, args.toArray(String[]::new));
        agents.put(host, agent);
        return URI.create(awaitLine(agent, log, AGENT_READY) + "/");
    }

    /** Starts {@code cutover ARGS...} inside {@code namespace}, stopped with the others; its output goes to a log. */
    Process startIn(String namespace, String name, String... args) throws IOException {
        return start(dir.resolve(name + "-" + (++logs) + ".log"), namespace, args);
    }

    /** Kills the agent of {@code host} (SIGKILL). */
    void killAgent(String host) throws InterruptedException {
        agents.get(host).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** What a process wrote so far, for failure messages. */
    String logs() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                all.append("==== ").append(log.getFileName()).append('\n').append(Files.readString(log));
            }
        }
        return all.toString();
    }

    private Process start(Path log, String namespace, String... args) throws IOException {
        Process process = Launcher.start(log, namespace, args);
        started.add(process);
        return process;
    }

    private static String awaitLine(Process process, Path log, Pattern ready) throws Exception {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            Matcher m = ready.matcher(text);
            if (m.find()) {
                return m.group(1);
            }
            if (!process.isAlive()) {
                throw new AssertionError("exited with " + process.exitValue() + " before it was ready: " + text);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not ready within " + READY_WITHIN + ": " + Files.readString(log));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops every process it started (SIGTERM, then SIGKILL after 15 s), also when interrupted. */
    @Override
    public void close() {
        for (Process process : started) {
            process.destroy();
        }
        boolean interrupted = false;
        for (Process process : started) {
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
