package io.cutover.cli;

import io.cutover.agent.Cutover;
import io.cutover.agent.CutoverService;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.Phase;
import io.cutover.agent.StepFactory;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.rest.AgentServer;
import io.cutover.api.CutoverStage;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.cutover.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cutover evacuate} against two real agents on loopback, hostA evacuated to hostB (1,024 MiB). The test plays
 * the orchestrator that migrates each VM and reports its phases, as for any cutover without a migrator.
 */
class EvacuateCommandTest {
    private static final String TOKEN = "test-token-0123456789abcdef";

    @TempDir
    Path dir;

    private Vertx vertx;
    private String source;
    private String tokenFile;
    private CutoverService service;
    private Thread orchestrator;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        tokenFile = Files.writeString(dir.resolve("token"), TOKEN).toString();
        int destination = new AgentServer(vertx, service("hostB", 1024, Map.of()), TOKEN, "hostB")
                .listen("127.0.0.1", 0).await(5, TimeUnit.SECONDS);
        service = service("hostA", 0, Map.of("hostB", URI.create("http://127.0.0.1:" + destination)));
        int port = new AgentServer(vertx, service, TOKEN, "hostA").listen("127.0.0.1", 0).await(5, TimeUnit.SECONDS);
        source = "http://127.0.0.1:" + port;
        orchestrator = new Thread(this::migrateEachPlannedCutover, "orchestrator");
        orchestrator.setDaemon(true);
        orchestrator.start();
    }

    @AfterEach
    void stop() throws Exception {
        orchestrator.interrupt();
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    @Test
    void eachVmsMoveIsARowTheSummaryFollowsAndARefusedVmMakesItAFailure() throws Exception {
        Path vms = vms(vm("vm1", 1, 300), vm("vm2", 2, 5000), vm("vm3", 3, 300));
        Cli.Run run = run("evacuate", "hostA", "--to", "hostB", "--parallel", "2", "--vms", vms.toString(),
                "--url", source, "--token-file", tokenFile);
        assertThat(run.code()).as(run.err()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).containsPattern("evacuation e-[0-9a-f]+: 3 VMs from hostA to hostB, 2 at once");
        assertThat(run.out()).containsPattern("(?m)^VM +DESTINATION +CUTOVER +OUTCOME +TIME +DOWNTIME +FAILURE$")
                .containsPattern("(?m)^vm1 +hostB +c-[0-9a-f]+ +COMPLETED +\\d+ ms +- +-$")
                .containsPattern("(?m)^vm2 +hostB +- +REFUSED +\\d+ ms +- +.*needs 5000 MiB.*$")
                .containsPattern("(?m)^vm3 +hostB +c-[0-9a-f]+ +COMPLETED ")
                .containsPattern("(?m)^3 VMs in \\d+\\.\\d s: 2 completed, 0 rolled back, 1 refused$");
    }

    @Test
    void anEvacuationWhoseVmsAllCompletedExitsZero() throws Exception {
        Cli.Run run = run("evacuate", "hostA", "--to", "hostB", "--vms", vms(vm("vm1", 1, 100)).toString(),
                "--url", source, "--token-file", tokenFile, "--json");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("\"outcome\" : \"COMPLETED\"").contains("\"completed\" : 1");
    }

    @Test
    void badInputIsAUsageErrorNamingIt() throws Exception {
        Path vms = vms(vm("vm1", 1, 100));
        Cli.Run zero = run("evacuate", "hostA", "--to", "hostB", "--parallel", "0", "--vms", vms.toString(),
                "--url", source, "--token-file", tokenFile);
        assertThat(zero.code()).isEqualTo(ExitCode.USAGE);
        assertThat(zero.err()).contains("--parallel: expected 1 to 16, not 0");
        Cli.Run noTo = run("evacuate", "hostA", "--vms", vms.toString(), "--token-file", tokenFile);
        assertThat(noTo.code()).isEqualTo(ExitCode.USAGE);
        assertThat(noTo.err()).contains("--to");
        Cli.Run notArray = run("evacuate", "hostA", "--to", "hostB", "--vms",
                Files.writeString(dir.resolve("obj.json"), "{}").toString(), "--url", source, "--token-file", tokenFile);
        assertThat(notArray.code()).isEqualTo(ExitCode.USAGE);
        assertThat(notArray.err()).contains("expected a JSON array of the VMs' cutover requests");
        Cli.Run badMac = run("evacuate", "hostA", "--to", "hostB", "--vms",
                vms(vm("vm1", 1, 100).replace("02:00", "zz:00")).toString(), "--url", source, "--token-file", tokenFile);
        assertThat(badMac.code()).isEqualTo(ExitCode.USAGE);
        assertThat(badMac.err()).contains("cutover: 400 bad request: vms[0].mac: expected");
        Cli.Run self = run("evacuate", "hostA", "--to", "hostA", "--vms", vms.toString(), "--url", source,
                "--token-file", tokenFile);
        assertThat(self.code()).isEqualTo(ExitCode.USAGE);
        assertThat(self.err()).contains("destinations: expected hosts other than the source (hostA)");
        assertThat(service.list()).isEmpty();
    }

    @Test
    void helpSaysWhatItDoesAndWhereTheVmsComeFrom() {
        Cli.Run help = run("evacuate", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--to=HOST[,HOST...]", "--parallel=N", "--vms=FILE", "keeps no inventory",
                "Exits 1 if any VM did not complete");
    }

    /** Reports switchover, activated and completed for each cutover hostA holds at PLANNED, as the migrations end. */
    private void migrateEachPlannedCutover() {
        Set<String> done = ConcurrentHashMap.newKeySet();
        while (!Thread.currentThread().isInterrupted()) {
            for (Cutover cutover : service.list()) {
                if (cutover.plan().stage() == CutoverStage.PLANNED && done.add(cutover.id())) {
                    for (Phase phase : new Phase[] {Phase.SWITCHOVER, Phase.ACTIVATED, Phase.COMPLETED}) {
                        service.phase(cutover.id(), phase).toCompletableFuture().join();
                    }
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Path vms(String... vms) throws Exception {
        return Files.writeString(Files.createTempFile(dir, "vms", ".json"), "[" + String.join(", ", vms) + "]");
    }

    private static String vm(String name, int number, long memory) {
        return String.format("{\"vm\": \"%s\", \"mac\": \"02:00:c6:12:00:%02x\", \"addresses\": [\"198.18.0.%d\"], "
                + "\"memoryMiB\": %d}", name, number, 100 + number, memory);
    }

    private static CutoverService service(String host, long memory, Map<String, URI> peers) {
        AgentConfig config = new AgentConfig(host, "127.0.0.1", 0, TOKEN, memory, peers);
        return new CutoverService(config, new MemoryClaims(config.memoryMiB()), new PeerAgents(config.peers(), TOKEN),
                StepFactory.none());
    }
}
