package io.cutover.tunnel;

import io.cutover.api.CutoverStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

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
                moves:
                  - id: m1
                    vni: 100
                    role: destination
                    vmMac: 02:00:c6:12:00:64
                    vmAddresses: [198.18.0.100]
                    peer: 198.19.0.1
                    iface: eth0
                    stage: activated
                """));
        assertThat(config.listen().getPort()).isEqualTo(4789);
        assertThat(config.pathMtu()).isEqualTo(ForwarderOptions.DEFAULT_PATH_MTU);
        assertThat(config.moves()).hasSize(1);
        assertThat(config.moves().get(0).stage()).isEqualTo(CutoverStage.ACTIVATED);
        assertThat(config.moves().get(0).spec().role()).isEqualTo(Role.DESTINATION);
    }

    @Test
    void errorsNameTheFileAndTheKey() throws Exception {
        Path unknown = write("listen: 0.0.0.0:4789\nport: 3\n");
        assertThatThrownBy(() -> DaemonConfig.load(unknown)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tunnel.yaml").hasMessageContaining("'port'");
        Path publicApi = write("api: 198.18.0.1:7946\n");
        assertThatThrownBy(() -> DaemonConfig.load(publicApi)).hasMessageContaining("loopback");
        Path badMove = write("moves:\n  - {id: m1, vni: 100, role: source, vmMac: zz, vmAddresses: [198.18.0.100], peer: 198.19.0.2, iface: eth0}\n");
        assertThatThrownBy(() -> DaemonConfig.load(badMove)).hasMessageContaining("moves[0]").hasMessageContaining("vmMac");
        Path notYaml = write("listen: [unclosed\n");
        assertThatThrownBy(() -> DaemonConfig.load(notYaml)).isInstanceOf(IllegalArgumentException.class);
    }
}
