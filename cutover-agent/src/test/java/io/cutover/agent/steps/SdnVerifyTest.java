package io.cutover.agent.steps;

import io.cutover.agent.plan.PlanStep;
import io.cutover.api.CutoverStage;
import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.SdnController;
import io.cutover.sdn.rest.SdnRestClient;
import io.cutover.sdn.rest.SdnRestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sdn.verify} against a real controller's REST API with no switch connected: what it cannot confirm leaves the
 * step done but unverified, never failed, and the doubt survives an agent's restart through the undo data. (That a
 * VM answering at its port is heard: SdnControllerIT and LanCutoverIT, on the lab's switches.)
 */
class SdnVerifyTest {
    private SdnController sdn;
    private SdnRestServer rest;
    private SdnRestClient client;

    @BeforeEach
    void start() {
        sdn = SdnController.start(ControllerOptions.builder().port(0).build());
        rest = SdnRestServer.start(sdn, "127.0.0.1", 0);
        client = new SdnRestClient(URI.create("http://127.0.0.1:" + rest.port() + "/v1"), null, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        rest.close();
        sdn.close();
    }

    @Test
    void aProbeTheControllerCannotSendLeavesTheStepDoneButUnverifiedAndARestartKeepsTheDoubt() {
        sdn.putEndpoint(new Endpoint(5, "vm1", 1, "02:00:c6:12:00:64", List.of("198.18.0.100"), Dpid.of(0xb0), "vm1"))
                .toCompletableFuture().join();
        PlanStep verify = SdnSteps.verify(client, "vm1", Duration.ofMillis(500));
        assertThat(verify.stage()).isEqualTo(CutoverStage.ACTIVATED);

        verify.apply().toCompletableFuture().join();

        assertThat(verify.unverified()).as("its switch is not connected")
                .startsWith("the controller could not probe vm1: ").contains("not connected");
        assertThat(verify.detail()).isEqualTo(verify.unverified());
        PlanStep afterRestart = SdnSteps.verify(client, "vm1", Duration.ofMillis(500));
        afterRestart.restore(verify.undoData());
        assertThat(afterRestart.unverified()).isEqualTo(verify.unverified());
        verify.rollback().toCompletableFuture().join();
    }

    @Test
    void anUnknownVmIsUnverifiedToo() {
        PlanStep verify = SdnSteps.verify(client, "ghost", Duration.ofMillis(500));
        verify.apply().toCompletableFuture().join();
        assertThat(verify.unverified()).contains("no endpoint ghost");
        assertThat(SdnSteps.verify(client, "ghost", Duration.ofMillis(500)).undoData()).as("nothing until applied")
                .isNull();
    }
}
