package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.tunnel.DaemonConfig;
import io.cutover.tunnel.TunnelDaemon;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.cutover.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code tunnel stats} and {@code tunnel list} against a real tunnel daemon on loopback (no move: no capture). */
class TunnelStatsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private TunnelDaemon daemon;
    private String api;
    private String tokenFile;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        tokenFile = Files.writeString(dir.resolve("tunnel.token"), "0123456789abcdef0123\n").toString();
        daemon = TunnelDaemon.start(DaemonConfig.parse(JSON.createObjectNode().put("listen", "127.0.0.1:0")
                .put("api", "127.0.0.1:0").put("tokenFile", tokenFile), "test"));
        api = "http://127.0.0.1:" + daemon.apiPort();
    }

    @Test
    void withoutTheTokenFileTheDaemonRefusesTheClient() {
        Cli.Run run = run("tunnel", "list", "--api", api);
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("missing bearer token");
    }

    @Test
    void aDaemonConfiguredWithoutATokenFileDoesNotStart(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("tunnel.yaml"), "listen: 127.0.0.1:0\napi: 127.0.0.1:0\n");
        Cli.Run run = run("tunnel", "serve", "--config", config.toString());
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).startsWith("cutover: " + config + ": tokenFile is required").contains("insecureNoToken: true")
                .doesNotContain("\tat ");
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    @Test
    void statsWithJsonIsTheDaemonsCountersForAScript() throws Exception {
        Cli.Run run = run("tunnel", "stats", "--api", api, "--token-file", tokenFile, "--json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode stats = JSON.readTree(run.out());
        assertThat(stats.path("moves").isArray()).isTrue();
        assertThat(stats.path("totals").path("injected").isNumber()).as("%s", stats).isTrue();
        assertThat(stats.path("totalDrops").path("REPLAYED").isNumber()).as("%s", stats).isTrue();
    }

    @Test
    void statsIsTablesWithHeadersByDefault() {
        Cli.Run run = run("tunnel", "stats", "--api", api, "--token-file", tokenFile);
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("ID  ROLE  MODE  VNI  STATE  SENT  INJECTED  HELD  DROPS\n")
                .containsPattern("(?m)^COUNTER +VALUE$").containsPattern("(?m)^injected +0$")
                .containsPattern("(?m)^DROP +TOTAL +UNATTRIBUTED$").containsPattern("(?m)^REPLAYED +0 +0$");
    }

    @Test
    void listWithJsonIsAnArrayAndAnUnknownMovesStatsAUsageError() throws Exception {
        Cli.Run list = run("tunnel", "list", "--api", api, "--token-file", tokenFile, "--json");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(JSON.readTree(list.out()).isArray()).isTrue();
        Cli.Run missing = run("tunnel", "stats", "nosuch", "--api", api, "--token-file", tokenFile, "--json");
        assertThat(missing.code()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err()).contains("nosuch");
    }
}
