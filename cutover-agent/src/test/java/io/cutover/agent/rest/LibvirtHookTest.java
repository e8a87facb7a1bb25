package io.cutover.agent.rest;

import io.cutover.agent.CutoverRequest;
import io.cutover.agent.CutoverService;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.StepFactory;
import io.cutover.agent.config.AgentConfig;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The libvirt hook script, run as libvirt runs it, against a real agent on loopback. */
class LibvirtHookTest {
    private static final String TOKEN = "hook-token-0123456789abcdef";
    private static final Path HOOK = Path.of("..", "hooks", "libvirt-qemu");

    @TempDir
    Path dir;
    private Vertx vertx;
    private CutoverService service;
    private String agentUrl;

    @BeforeEach
    void startAgent() throws Exception {
        vertx = Vertx.vertx();
        AgentConfig config = new AgentConfig("hostB", "127.0.0.1", 0, TOKEN, 1024, Map.of());
        service = new CutoverService(config, new MemoryClaims(1024), new PeerAgents(Map.of(), TOKEN), StepFactory.none());
        int port = new AgentServer(vertx, service, TOKEN, "hostB").listen("127.0.0.1", 0).await(5, TimeUnit.SECONDS);
        agentUrl = "http://127.0.0.1:" + port;
        Files.writeString(dir.resolve("token"), TOKEN + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    @Test
    void releaseOnTheSourceActivatesThenCompletesAndTheReportSaysTheBlackoutWasNotProtected() throws Exception {
        String id = cutover();
        Files.writeString(dir.resolve("vm1.id"), id + "\ndestination\n" + agentUrl + "\n");
        assertThat(hook("vm1", "started", "begin").exit).isZero();
        assertThat(service.get(id).plan().stage().name()).as("started begin is libvirt's Prepare step")
                .isEqualTo("PLANNED");

        Files.writeString(dir.resolve("vm1.id"), id + "\nsource\n" + agentUrl + "\n");
        assertThat(hook("vm1", "release", "end").exit).isZero();
        awaitEnd(id);
        assertThat(service.get(id).plan().stage().name()).isEqualTo("COMPLETED");
        assertThat(service.get(id).plan().timeline().entries()).extracting(e -> e.what() + " " + e.event())
                .containsSubsequence("PLANNED stage", "ACTIVATED stage", "DRAINING stage", "COMPLETED stage");
        assertThat(service.get(id).plan().blackoutProtected()).isFalse();
        assertThat(dir.resolve("vm1.id")).doesNotExist();
    }

    /** The drain runs after the hook's {@code completed} was answered; COMPLETED follows it. */
    private void awaitEnd(String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!service.ended(service.get(id)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void anIncomingGuestThatStopsBeforeActivationFailsTheCutover() throws Exception {
        String id = cutover();
        Files.writeString(dir.resolve("vm1.id"), id + "\ndestination\n" + agentUrl + "\n");
        assertThat(hook("vm1", "stopped", "end").exit).isZero();
        assertThat(service.get(id).plan().stage().name()).isEqualTo("ROLLED_BACK");
    }

    @Test
    void aGuestThatStopsAtTheDestinationAfterTheMoveLeavesTheCutoverAlone() throws Exception {
        String id = cutover();
        Files.writeString(dir.resolve("vm1.id"), id + "\nsource\n" + agentUrl + "\n");
        assertThat(hook("vm1", "release", "end").exit).isZero();
        awaitEnd(id);
        Files.writeString(dir.resolve("vm1.id"), id + "\ndestination\n" + agentUrl + "\n");
        assertThat(hook("vm1", "stopped", "end").exit).isZero();
        assertThat(service.get(id).plan().stage().name()).isEqualTo("COMPLETED");
        assertThat(dir.resolve("vm1.id")).doesNotExist();
    }

    @Test
    void aWrongTokenMakesTheHookFailWithAReason() throws Exception {
        String id = cutover();
        Files.writeString(dir.resolve("vm1.id"), id + "\nsource\n" + agentUrl + "\n");
        Files.writeString(dir.resolve("token"), "not-the-token\n");
        Result result = hook("vm1", "release", "end");
        assertThat(result.exit).isEqualTo(1);
        assertThat(result.output).contains("phase activated failed").contains("unauthorized");
        assertThat(service.get(id).plan().stage().name()).isEqualTo("PLANNED");
    }

    @Test
    void theDestinationsHookPresentsTheOwnerTokenAndSaysSoWhenTheSourcesAgentRefusesIt() throws Exception {
        String id = cutover();
        Files.writeString(dir.resolve("vm1.id"), id + "\ndestination\n" + agentUrl + "\n");
        Files.writeString(dir.resolve("owner"), "not-the-owner-token\n");
        Result refused = hook(Map.of("CUTOVER_OWNER_TOKEN_FILE", dir.resolve("owner").toString()), "vm1", "stopped",
                "end");
        assertThat(refused.exit).isEqualTo(1);
        assertThat(refused.output).contains("reading cutover " + id + " failed").contains("unauthorized");
        assertThat(service.get(id).plan().stage().name()).isEqualTo("PLANNED");

        Files.writeString(dir.resolve("owner"), TOKEN + "\n");
        Files.writeString(dir.resolve("token"), "this-hosts-own-token-is-not-used\n");
        assertThat(hook(Map.of("CUTOVER_OWNER_TOKEN_FILE", dir.resolve("owner").toString()), "vm1", "stopped", "end")
                .exit).isZero();
        assertThat(service.get(id).plan().stage().name()).isEqualTo("ROLLED_BACK");
    }

    @Test
    void guestsWithoutACutoverAreLeftAlone() throws Exception {
        assertThat(hook("other-vm", "release", "end").exit).isZero();
        assertThat(hook("../etc", "release", "end").exit).isEqualTo(1);
    }

    private String cutover() {
        return service.create(new CutoverRequest("vm1", "02:00:c6:12:00:64", List.of("198.18.0.100"), "hostA",
                "hostB", "lan", List.of(), null, 100, null, null, false)).id();
    }

    private Result hook(String... args) throws Exception {
        return hook(Map.of(), args);
    }

    private Result hook(Map<String, String> environment, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", HOOK.toString(), args[0], args[1], args[2], "-"))
                .redirectErrorStream(true);
        builder.environment().putAll(Map.of("CUTOVER_HOOK_DIR", dir.toString(),
                "CUTOVER_TOKEN_FILE", dir.resolve("token").toString(), "CUTOVER_AGENT_URL", "http://127.0.0.1:9"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().write("<domain/>".getBytes());
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private record Result(int exit, String output) {
    }

}
