package io.cutover.arp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadinessGateTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private static GateResult join(java.util.concurrent.CompletionStage<GateResult> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void openGateIsUngatedAndImmediate() throws Exception {
        var stage = ReadinessGate.open().await(timer);
        assertThat(stage.toCompletableFuture()).isDone();
        assertThat(join(stage).outcome()).isEqualTo(GateResult.Outcome.UNGATED);
    }

    @Test
    void readyBeforeTheTimeoutIsOnTime() throws Exception {
        CompletableFuture<Void> commit = new CompletableFuture<>();
        var stage = ReadinessGate.on(commit).withTimeout(Duration.ofSeconds(5)).await(timer);
        Thread.sleep(20);
        assertThat(stage.toCompletableFuture()).isNotDone();
        commit.complete(null);
        GateResult result = join(stage);
        assertThat(result.outcome()).isEqualTo(GateResult.Outcome.READY);
        assertThat(result.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(20));
    }

    @Test
    void timeoutAnnouncesEarlyByDefault() throws Exception {
        var stage = ReadinessGate.on(new CompletableFuture<>()).withTimeout(Duration.ofMillis(30)).await(timer);
        GateResult result = join(stage);
        assertThat(result.outcome()).isEqualTo(GateResult.Outcome.EARLY);
        assertThat(result.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(30));
    }

    @Test
    void waitPolicyReportsLate() throws Exception {
        CompletableFuture<String> commit = new CompletableFuture<>();
        var stage = ReadinessGate.on(commit).withTimeout(Duration.ofMillis(20))
                .withOnTimeout(ReadinessGate.OnTimeout.WAIT).await(timer);
        Thread.sleep(80);
        assertThat(stage.toCompletableFuture()).isNotDone();
        commit.complete("barrier");
        assertThat(join(stage).outcome()).isEqualTo(GateResult.Outcome.LATE);
    }

    @Test
    void abortPolicyAndFailedReadinessCloseTheGate() {
        var aborted = ReadinessGate.on(new CompletableFuture<>()).withTimeout(Duration.ofMillis(20))
                .withOnTimeout(ReadinessGate.OnTimeout.ABORT).await(timer);
        assertThatThrownBy(() -> join(aborted)).hasCauseInstanceOf(GateClosedException.class)
                .hasMessageContaining("not confirmed ready within 20ms");
        var failed = ReadinessGate.on(CompletableFuture.failedFuture(new IllegalStateException("flow-mod rejected")))
                .await(timer);
        assertThatThrownBy(() -> join(failed)).hasCauseInstanceOf(GateClosedException.class)
                .hasMessageContaining("flow-mod rejected");
        assertThatThrownBy(() -> ReadinessGate.open().withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
