package io.cutover.it.sdn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.it.LabExtension;
import io.cutover.it.Launcher;
import io.cutover.lab.HostSwitch;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.lab.ZooKeeperEnsemble;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Move;
import io.cutover.sdn.rest.SdnRestClient;
import io.cutover.support.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three {@code cutover sdn serve --store} processes, a controller cluster on the lab's ZooKeeper ensemble, every
 * switch (the fabric's bridges, both hosts' br-int) connected to all three. The first leads and is the switches'
 * master; the slaves refuse changes (503). A move is prepared and redirected, then the master is killed with SIGKILL
 * before its commit: a slave takes over within the bound, and the move is rolled back on the real switches, their flows
 * exactly as before the move (nothing of it half-applied). Prints failover_ms: from the kill until the new master's
 * role request was answered by every switch.
 */
class ControllerClusterIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.withStore(Topology.LAN);

    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(3);
    /** The lab's switches: the fabric's three bridges and both hosts' br-int. */
    private static final int SWITCHES = 5;
    /** How long a controller may take to take changes again once the store has its quorum back. */
    private static final Duration STORE_RECOVERY = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        Lab lab = LAB.lab();
        lab.vsctl("--if-exists", "del-port", "br-a", "fwd-a");
        lab.vsctl("--if-exists", "del-port", "br-b", "vm1-b");
    }

    @Test
    void aSlaveTakesOverFromAKilledMasterAndRollsBackItsOpenMove() throws Exception {
        Lab lab = LAB.lab();
        // where the move goes (vm1 from br-a to br-b) and the forwarder port its redirect sends to on br-a
        lab.vsctl("add-port", "br-a", "fwd-a", "--", "set", "interface", "fwd-a", "type=internal").orThrow();
        lab.vsctl("add-port", "br-b", "vm1-b", "--", "set", "interface", "vm1-b", "type=internal").orThrow();
        List<Integer> ports = freePorts(lab, 3);
        String clusterPorts = ports.stream().map(String::valueOf).collect(Collectors.joining(","));

        Path log1 = dir.resolve("serve1.log");
        Process first = serve(lab, log1, ports.get(0), clusterPorts);
        String master = Launcher.awaitRest(first, log1, Duration.ofSeconds(60));
        assertThat(Files.readString(log1)).contains("cluster member, MASTER");
        Path log2 = dir.resolve("serve2.log");
        Path log3 = dir.resolve("serve3.log");
        Process second = serve(lab, log2, ports.get(1), clusterPorts);
        Process third = serve(lab, log3, ports.get(2), clusterPorts);
        List<String> slaves = List.of(Launcher.awaitRest(second, log2, Duration.ofSeconds(60)),
                Launcher.awaitRest(third, log3, Duration.ofSeconds(60)));
        assertThat(Files.readString(log2)).contains("cluster member, SLAVE");
        assertThat(Files.readString(log3)).contains("cluster member, SLAVE");
        awaitRoles(lab, ports.get(0), Duration.ofSeconds(10));
        awaitFlows(lab, before -> before.contains("198.18.0.100"), Duration.ofSeconds(10));

        String prepare = "{\"endpoint\":\"vm1\",\"toSwitch\":\"" + Topology.DPID_B + "\",\"toPort\":\"vm1-b\"}";
        for (String slave : slaves) {
            HttpResponse<String> refused = post(slave + "/moves", prepare);
            assertThat(refused.statusCode()).as("a slave's answer to a change: " + refused.body()).isEqualTo(503);
            assertThat(refused.body()).contains("slave");
        }
        String before = flows(lab);
        HttpResponse<String> prepared = post(master + "/moves", prepare);
        assertThat(prepared.statusCode()).as(prepared.body()).isEqualTo(201);
        int move = JSON.readTree(prepared.body()).path("id").asInt();
        HttpResponse<String> redirected = post(master + "/moves/" + move + "/redirect", "{\"port\":\"fwd-a\"}");
        assertThat(redirected.statusCode()).as(redirected.body()).isEqualTo(200);
        assertThat(flows(lab)).as("the redirect changed the switches").isNotEqualTo(before);

        long killed = System.nanoTime();
        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        int leader = awaitNewMaster(List.of(log2, log3), Duration.ofSeconds(10));
        long failoverMs = (System.nanoTime() - killed) / 1_000_000;
        System.out.println("failover_ms=" + failoverMs);
        String newMaster = slaves.get(leader);
        Files.readString(List.of(log2, log3).get(leader)).lines().filter(l -> l.contains("Cluster") || l.contains("lead")
                || l.contains("role")).forEach(l -> System.out.println("new master: " + l));
        assertThat(Duration.ofMillis(failoverMs)).as("master killed -> every switch answered the new master")
                .isLessThanOrEqualTo(FAILOVER_BOUND);

        awaitRoles(lab, ports.get(leader + 1), Duration.ofSeconds(10));
        JsonNode closed = JSON.readTree(get(newMaster + "/moves/" + move).body());
        assertThat(closed.path("state").asText()).as(closed.toString()).isEqualTo("ROLLED_BACK");
        awaitFlows(lab, before::equals, Duration.ofSeconds(10));
        assertThat(flows(lab)).as("every switch as before the move: rolled back, nothing of it left").isEqualTo(before);
        // a client given every member (the killed one first) finds the new master, past the dead one and the slave
        SdnRestClient cluster = new SdnRestClient(Stream.concat(Stream.of(master), slaves.stream())
                .map(URI::create).toList(), null, Duration.ofSeconds(10), null);
        Move again = cluster.prepare("vm1", Dpid.parse(Topology.DPID_B), "vm1-b").toCompletableFuture().join();
        assertThat(cluster.base().getPort()).as("the member that took the move")
                .isEqualTo(URI.create(newMaster).getPort());
        assertThat(JSON.readTree(get(newMaster + "/moves/" + again.id()).body()).path("state").asText())
                .as("the new master has the move").isEqualTo("PREPARED");
        String other = slaves.get(1 - leader);
        assertThat(post(other + "/moves/" + again.id() + "/commit", "").statusCode()).as("the remaining slave")
                .isEqualTo(503);
    }

    /**
     * One controller on the store. The store losing a member of three (its leader, with SIGKILL): the controller may
     * lose touch with the store for a moment (then it steps down at once, and takes over again with a new generation,
     * rolling back what was open), and once it is master again a move completes. Losing a majority: a move is refused
     * with a clear error and no switch changes. With the members back, moves are taken again. Prints
     * store_member_lost_ms: from the kill until the controller was master and took a move.
     */
    @Test
    void theStoreLosingAMemberKeepsMovesGoingAndLosingAMajorityRefusesThemWithNothingHalfDone() throws Exception {
        Lab lab = LAB.lab();
        ZooKeeperEnsemble store = lab.store().orElseThrow();
        lab.vsctl("add-port", "br-b", "vm1-b", "--", "set", "interface", "vm1-b", "type=internal").orThrow();
        int port = freePorts(lab, 1).get(0);
        Path log = dir.resolve("serve.log");
        String rest = Launcher.awaitRest(serve(lab, log, port, String.valueOf(port), "quorum-it"), log,
                Duration.ofSeconds(60));
        awaitRoles(lab, port, 1, Duration.ofSeconds(10));
        String home = JSON.readTree(get(rest + "/endpoints/vm1").body()).path("port").asText();
        String away = "{\"endpoint\":\"vm1\",\"toSwitch\":\"" + Topology.DPID_B + "\",\"toPort\":\"vm1-b\"}";
        String back = "{\"endpoint\":\"vm1\",\"toSwitch\":\"" + Topology.DPID_A + "\",\"toPort\":\"" + home + "\"}";
        List<String> killed = new ArrayList<>();
        try {
            String leader = store.awaitLeader(Duration.ofSeconds(30));
            long since = System.nanoTime();
            store.kill(leader);
            killed.add(leader);
            store.awaitLeader(Duration.ofSeconds(30));
            awaitMaster(log, STORE_RECOVERY);
            HttpResponse<String> prepared = post(rest + "/moves", away);
            assertThat(prepared.statusCode()).as("a move with two members of three: " + prepared.body()).isEqualTo(201);
            System.out.println("store_member_lost_ms=" + (System.nanoTime() - since) / 1_000_000);
            int move = JSON.readTree(prepared.body()).path("id").asInt();
            for (String step : List.of("commit", "cleanup")) {
                HttpResponse<String> done = post(rest + "/moves/" + move + "/" + step, "");
                assertThat(done.statusCode()).as(step + " with two members of three: " + done.body()).isEqualTo(200);
            }
            assertThat(JSON.readTree(get(rest + "/endpoints/vm1").body()).path("port").asText())
                    .as("vm1 moved, with two members of three").isEqualTo("vm1-b");

            String second = store.members().stream().filter(m -> !killed.contains(m)).findFirst().orElseThrow();
            store.kill(second);
            killed.add(second);
            String before = flows(lab);
            HttpResponse<String> refused = post(rest + "/moves", back);
            assertThat(refused.statusCode()).as("a move with one member of three: " + refused.body()).isEqualTo(503);
            assertThat(refused.body()).as("the refusal says why").containsAnyOf("store", "quorum", "slave");
            assertThat(flows(lab)).as("nothing of the refused move on any switch").isEqualTo(before);

            for (String member : killed) {
                store.start(member);
            }
            killed.clear();
            store.awaitLeader(Duration.ofSeconds(60));
            awaitMaster(log, STORE_RECOVERY);
            HttpResponse<String> taken = post(rest + "/moves", back);
            assertThat(taken.statusCode()).as("a move with the quorum back: " + taken.body()).isEqualTo(201);
            int again = JSON.readTree(taken.body()).path("id").asInt();
            HttpResponse<String> rolledBack = post(rest + "/moves/" + again + "/rollback", "");
            assertThat(rolledBack.statusCode()).as("rollback: " + rolledBack.body()).isEqualTo(200);
            awaitFlows(lab, before::equals, Duration.ofSeconds(10));
            assertThat(flows(lab)).as("the move taken after the quorum came back, rolled back").isEqualTo(before);
        } finally {
            for (String member : killed) {
                store.start(member);
            }
        }
    }

    /**
     * Waits until the controller whose log is {@code log} is the master, as its log says: it has been master, and has
     * not stepped down since (a controller that lost touch with the store steps down, and takes over again once the
     * store answers).
     */
    private static void awaitMaster(Path log, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log);
            if (text.lastIndexOf("master with generation") > text.lastIndexOf("no longer leads the cluster")
                    || !text.contains("no longer leads the cluster") && text.contains("cluster member, MASTER")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the controller was not master again within " + timeout);
    }

    private Process serve(Lab lab, Path log, int port, String clusterPorts) throws Exception {
        return serve(lab, log, port, clusterPorts, "cluster-it");
    }

    private Process serve(Lab lab, Path log, int port, String clusterPorts, String storeRoot) throws Exception {
        Process process = Launcher.start(log, null, "sdn", "serve", "--lab", lab.name(), "--listen",
                "127.0.0.1:" + port, "--rest", "127.0.0.1:0", "--store", lab.store().orElseThrow().connectString(),
                "--store-root", storeRoot, "--cluster-ports", clusterPorts);
        processes.add(process);
        return process;
    }

    /** Waits until one of the slaves' logs says it is the master (its role answered by every switch). */
    private static int awaitNewMaster(List<Path> logs, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < logs.size(); i++) {
                if (Files.readString(logs.get(i)).contains("master with generation")) {
                    return i;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no new master within " + timeout);
    }

    /** Waits until every switch holds the controller at {@code port} as its master and no other, of three. */
    private static void awaitRoles(Lab lab, int port, Duration timeout) throws Exception {
        awaitRoles(lab, port, 3, timeout);
    }

    /** Waits until every switch holds the controller at {@code port} as its master and no other, of {@code members}. */
    private static void awaitRoles(Lab lab, int port, int members, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String roles = "";
        while (System.nanoTime() < deadline) {
            roles = roles(lab);
            List<String> lines = roles.lines().filter(l -> !l.isBlank()).toList();
            boolean settled = lines.size() == SWITCHES * members && lines.stream().allMatch(line ->
                    line.contains(":" + port + "\"") ? line.endsWith(",master") : !line.endsWith(",master"));
            if (settled) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the switches' controllers did not settle on the one at port " + port + ":\n" + roles);
    }

    /** Every switch's controllers (target, role): the fabric's bridges and both hosts' br-int. */
    private static String roles(Lab lab) {
        String[] list = {"--format=csv", "--no-headings", "--columns=target,role", "list", "controller"};
        StringBuilder all = new StringBuilder(lab.vsctl(list).orThrow().stdout());
        for (HostSwitch host : lab.hostSwitches()) {
            all.append(host.vsctl(list).orThrow().stdout());
        }
        return all.toString();
    }

    private static void awaitFlows(Lab lab, java.util.function.Predicate<String> wanted, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !wanted.test(flows(lab))) {
            Thread.sleep(100);
        }
    }

    /** Every switch's flows, without counters, sorted: what the controller installed. */
    private static String flows(Lab lab) {
        StringBuilder all = new StringBuilder();
        for (String bridge : lab.topology().bridges()) {
            all.append(bridge).append('\n').append(sorted(lab.ofctl("-O", "OpenFlow13", "--no-stats", "dump-flows",
                    bridge).orThrow().stdout()));
        }
        for (HostSwitch host : lab.hostSwitches()) {
            all.append(host.host()).append('\n').append(sorted(host.ofctl("-O", "OpenFlow13", "--no-stats",
                    "dump-flows", host.bridge()).orThrow().stdout()));
        }
        return all.toString();
    }

    private static String sorted(String dump) {
        return dump.lines().map(String::strip).filter(l -> !l.isEmpty()).sorted()
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static List<Integer> freePorts(Lab lab, int count) throws Exception {
        try (Netns fabric = lab.netns(Topology.FABRIC)) {
            return fabric.call(() -> {
                List<ServerSocket> sockets = new ArrayList<>();
                try {
                    for (int i = 0; i < count; i++) {
                        sockets.add(new ServerSocket(0));
                    }
                    return sockets.stream().map(ServerSocket::getLocalPort).toList();
                } finally {
                    for (ServerSocket socket : sockets) {
                        socket.close();
                    }
                }
            });
        }
    }

    private static HttpResponse<String> post(String uri, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(uri)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
