package io.cutover.tunnel;

import io.cutover.api.CutoverStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DaemonConfigTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("tunnel.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void readsAConfigWithMoves() throws Exception {
        DaemonConfig config = DaemonConfig.load(write("""
                listen: 0.0.0.0:4789
                api: 127.0.0.1:7946
                stateDir: /var/lib/cutover/tunnel
                insecureNoToken: true
                moves:
                  - id: m1
                    vni: 100
                    role: destination
                    vmMac: 02:00:c6:12:00:64
                    vmAddresses: [198.18.0.100]
                    peer: 198.19.0.1
                    iface: eth0
                    insecurePlain: true
                    stage: activated
                """));
        assertThat(config.listen().getPort()).isEqualTo(4789);
        assertThat(config.pathMtu()).isEqualTo(ForwarderOptions.DEFAULT_PATH_MTU);
        assertThat(config.moves()).hasSize(1);
        assertThat(config.moves().get(0).stage()).isEqualTo(CutoverStage.ACTIVATED);
        assertThat(config.moves().get(0).spec().role()).isEqualTo(Role.DESTINATION);
    }

    @Test
    void theFlushRateDefaultsToPacingAndABadOneNamesTheKey() throws Exception {
        assertThat(DaemonConfig.load(write("insecureNoToken: true\n")).flushRate()).isEqualTo(ForwarderOptions.DEFAULT_FLUSH_RATE);
        assertThat(DaemonConfig.load(write("flushRate: 0\ninsecureNoToken: true\n")).flushRate()).as("at once").isZero();
        for (String bad : List.of("flushRate: -5", "flushRate: fast", "flushRate: 20000000")) {
            Path file = write(bad + "\ninsecureNoToken: true\n");
            assertThatThrownBy(() -> DaemonConfig.load(file)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("flushRate");
        }
    }

    @Test
    void theLogLevelIsReadInAnyCaseAndABadOneNamesTheKey() throws Exception {
        assertThat(DaemonConfig.load(write("listen: 0.0.0.0:4789\ninsecureNoToken: true\n")).logLevel()).as("as the launcher says").isNull();
        assertThat(DaemonConfig.load(write("logLevel: WARN\ninsecureNoToken: true\n")).logLevel()).isEqualTo(io.cutover.support.LogLevel.WARN);
        Path loud = write("logLevel: loud\n");
        assertThatThrownBy(() -> DaemonConfig.load(loud)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tunnel.yaml: logLevel: 'loud' is not a log level (expected trace, debug, info, "
                        + "warn, error)");
    }

    @Test
    void errorsNameTheFileAndTheKey() throws Exception {
        Path unknown = write("listen: 0.0.0.0:4789\nport: 3\n");
        assertThatThrownBy(() -> DaemonConfig.load(unknown)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tunnel.yaml").hasMessageContaining("'port'");
        Path publicApi = write("api: 198.18.0.1:7946\n");
        assertThatThrownBy(() -> DaemonConfig.load(publicApi)).hasMessageContaining("loopback");
        Path badMove = write("moves:\n  - {id: m1, vni: 100, role: source, vmMac: zz, vmAddresses: [198.18.0.100], peer: 198.19.0.2, iface: eth0, insecurePlain: true}\n");
        assertThatThrownBy(() -> DaemonConfig.load(badMove)).hasMessageContaining("moves[0]").hasMessageContaining("vmMac");
        Path keyless = write("moves:\n  - {id: m1, vni: 100, role: source, vmMac: 02:00:c6:12:00:64, vmAddresses: [198.18.0.100], "
                + "peer: 198.19.0.2, iface: eth0}\n");
        assertThatThrownBy(() -> DaemonConfig.load(keyless)).as("sealed is the default").hasMessageContaining("moves[0]")
                .hasMessageContaining("no key or keyFile").hasMessageContaining("insecurePlain: true");
        Path notYaml = write("listen: [unclosed\n");
        assertThatThrownBy(() -> DaemonConfig.load(notYaml)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDaemonWithoutATokenFileIsRefusedUnlessItAsksForAnOpenApi() throws Exception {
        Path none = write("listen: 0.0.0.0:4789\n");
        assertThatThrownBy(() -> DaemonConfig.load(none)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tunnel.yaml").hasMessageContaining("tokenFile is required")
                .hasMessageContaining("insecureNoToken: true");
        assertThat(DaemonConfig.load(write("insecureNoToken: true\n")).insecureNoToken()).isTrue();
        assertThat(DaemonConfig.load(write("insecureNoToken: true\n")).toString()).contains("insecureNoToken");
        Path no = write("insecureNoToken: false\n");
        assertThatThrownBy(() -> DaemonConfig.load(no)).hasMessageContaining("tokenFile is required");
        Path yes = write("insecureNoToken: yes please\n");
        assertThatThrownBy(() -> DaemonConfig.load(yes)).hasMessageContaining("insecureNoToken must be true or false");
        Path token = Files.writeString(dir.resolve("tunnel.token"), "0123456789abcdef0123\n");
        Path both = write("tokenFile: " + token + "\ninsecureNoToken: true\n");
        assertThatThrownBy(() -> DaemonConfig.load(both)).hasMessageContaining("exclude each other");
    }

    @Test
    void aTokenFileMustBeReadableAndLongEnoughAndStaysOutOfToString() throws Exception {
        Path token = Files.writeString(dir.resolve("tunnel.token"), "0123456789abcdef0123\n");
        DaemonConfig config = DaemonConfig.load(write("tokenFile: " + token + "\n"));
        assertThat(config.token()).isEqualTo("0123456789abcdef0123");
        assertThat(config.toString()).doesNotContain("0123456789abcdef");
        Path missing = write("tokenFile: " + dir.resolve("absent.token") + "\n");
        assertThatThrownBy(() -> DaemonConfig.load(missing)).hasMessageContaining("tokenFile")
                .hasMessageContaining("absent.token");
        Path shortToken = write("tokenFile: " + Files.writeString(dir.resolve("short.token"), "abc") + "\n");
        assertThatThrownBy(() -> DaemonConfig.load(shortToken)).hasMessageContaining("at least 16");
    }

    @Test
    void withATokenTheApiRefusesEveryCallWithoutItButItsDocument() throws Exception {
        Path token = Files.writeString(dir.resolve("tunnel.token"), "0123456789abcdef0123");
        DaemonConfig config = DaemonConfig.load(write("listen: 127.0.0.1:0\napi: 127.0.0.1:0\ntokenFile: " + token + "\n"));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        try (TunnelDaemon daemon = TunnelDaemon.start(config)) {
            java.net.URI base = java.net.URI.create("http://127.0.0.1:" + daemon.apiPort() + "/v1/");
            String move = "{\"id\":\"m1\",\"vni\":100,\"role\":\"destination\",\"vmMac\":\"02:00:c6:12:00:64\","
                    + "\"vmAddresses\":[\"198.18.0.100\"],\"peer\":\"127.0.0.1:4789\",\"iface\":\"lo\"}";
            var post = java.net.http.HttpRequest.newBuilder(base.resolve("moves"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(move)).header("Content-Type", "application/json");
            var refused = http.send(post.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).contains("unauthorized");
            var wrong = http.send(post.copy().header("Authorization", "Bearer 0123456789abcdef0124").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).as("a wrong token").isEqualTo(401);
            var doc = http.send(java.net.http.HttpRequest.newBuilder(base.resolve("openapi.yaml")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(doc.statusCode()).isEqualTo(200);
            var list = java.net.http.HttpRequest.newBuilder(base.resolve("moves"))
                    .header("Authorization", "Bearer 0123456789abcdef0123").build();
            assertThat(http.send(list, java.net.http.HttpResponse.BodyHandlers.ofString()).body().strip())
                    .as("the refused calls registered nothing").isEqualTo("[ ]");
        }
    }

    @Test
    void aMoveThroughTheApiNamesAKeyFileOnlyInsideTheKeyDirectory() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        Path secret = Files.writeString(dir.resolve("secret.txt"), "not for the daemon to read");
        Files.createSymbolicLink(keys.resolve("escape.key"), secret);
        Path good = Files.writeString(keys.resolve("m1.key"),
                java.util.Base64.getEncoder().encodeToString(new byte[32]));
        DaemonConfig config = DaemonConfig.load(write("listen: 127.0.0.1:0\napi: 127.0.0.1:0\ninsecureNoToken: true\nkeyDir: " + keys + "\n"));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        try (TunnelDaemon daemon = TunnelDaemon.start(config)) {
            java.net.URI moves = java.net.URI.create("http://127.0.0.1:" + daemon.apiPort() + "/v1/moves");
            for (Path refused : List.of(secret, keys.resolve("escape.key"), keys.resolve("absent.key"))) {
                var answer = http.send(java.net.http.HttpRequest.newBuilder(moves).header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(move("m0", refused))).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as("keyFile %s", refused).isEqualTo(400);
                assertThat(answer.body()).contains("keyFile").doesNotContain("not for the daemon");
            }
            var added = http.send(java.net.http.HttpRequest.newBuilder(moves).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(move("m1", good))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
            assertThat(added.body()).contains("\"authenticated\" : true");
        }
    }

    private static String move(String id, Path keyFile) {
        return "{\"id\":\"" + id + "\",\"vni\":100,\"role\":\"destination\",\"vmMac\":\"02:00:c6:12:00:64\","
                + "\"vmAddresses\":[\"198.18.0.100\"],\"peer\":\"127.0.0.1:4789\",\"iface\":\"lo\",\"keyFile\":\""
                + keyFile + "\"}";
    }

    @Test
    void aRequestWithoutHostIsA400NotA500() throws Exception {
        DaemonConfig config = DaemonConfig.load(write("listen: 127.0.0.1:0\napi: 127.0.0.1:0\ninsecureNoToken: true\n"));
        try (TunnelDaemon daemon = TunnelDaemon.start(config);
             java.net.Socket socket = new java.net.Socket("127.0.0.1", daemon.apiPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET /v1/moves HTTP/1.1\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("Host");
        }
    }
}
