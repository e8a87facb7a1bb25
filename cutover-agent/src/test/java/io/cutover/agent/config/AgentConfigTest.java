package io.cutover.agent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsAWholeFileWithATokenFile() throws Exception {
        Files.writeString(dir.resolve("token"), "0123456789abcdef0123\n");
        AgentConfig config = AgentConfig.load(write("""
                host: hostA
                listen: 198.19.0.1:7070
                token-file: token
                memory-mib: 8192
                peers:
                  hostB: http://198.19.0.2:7070
                steps: [sdn, announce]
                """));
        assertThat(config.host()).isEqualTo("hostA");
        assertThat(config.address()).isEqualTo("198.19.0.1");
        assertThat(config.port()).isEqualTo(7070);
        assertThat(config.token()).isEqualTo("0123456789abcdef0123");
        assertThat(config.peers()).containsEntry("hostB", URI.create("http://198.19.0.2:7070"));
        assertThat(config.steps()).containsExactlyInAnyOrder("sdn", "announce");
    }

    @Test
    void defaultsToLoopbackAndNoSteps() throws Exception {
        AgentConfig config = AgentConfig.load(write("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\n"));
        assertThat(config.address()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(7070);
        assertThat(config.steps()).isEmpty();
    }

    @Test
    void badValuesNameTheFileTheKeyAndTheProblem() throws Exception {
        assertBad("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\nlisten: nowhere\n", "listen: expected ADDRESS:PORT");
        assertBad("host: h\ntoken: short\nmemory-mib: 1\n", "token: expected a bearer token");
        assertBad("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\nsteps: [teleport]\n", "steps: unknown step 'teleport'");
        assertBad("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\npeers: {b: 'ftp://x'}\n", "peers.b: expected an http(s) URL");
        assertBad("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\ncolour: blue\n", "colour: unknown key");
        assertBad("host: h\ntoken: 0123456789abcdef\n", "memory-mib:");
        assertBad("host: [unclosed\n", "(file): cannot read");
    }

    private void assertBad(String yaml, String message) throws Exception {
        Path file = write(yaml);
        assertThatThrownBy(() -> AgentConfig.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(message);
    }

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("host.yaml"), yaml);
    }
}
