package io.cutover.it.arp;

import io.cutover.it.LabExtension;
import io.cutover.it.Launcher;
import io.cutover.lab.Neighbour;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cutover announce} as an operator runs it: inside the VM host's namespace, real jar, real exit codes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AnnounceCommandIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    private record Run(int exit, String stdout, String stderr) {
    }

    private static Run announce(String... args) throws Exception {
        String[] full = new String[args.length + 1];
        full[0] = "announce";
        System.arraycopy(args, 0, full, 1, args.length);
        Process process = new ProcessBuilder(Launcher.command(LAB.lab().namespace(Topology.VM), full))
                .redirectInput(new File("/dev/null")).start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), stdout, stderr);
    }

    private static Optional<Neighbour> clientEntry(String address) {
        return LAB.lab().neighbours("client").stream().filter(n -> n.address().equals(address)).findFirst();
    }

    @Test
    void announcesAndThePeerMoves() throws Exception {
        String ip = LAB.lab().port(Topology.VM).ipv4Address();
        LAB.lab().exec("client", "ip", "neigh", "replace", ip, "lladdr", "02:00:00:00:00:99", "dev", "eth0", "nud", "stale").orThrow();

        Run run = announce("--iface", "eth0", "--mac", Topology.VM_MAC, "--ip", ip, "--rounds", "2", "--initial", "20ms",
                "--probe", "--probe-wait", "200ms");

        assertThat(run.exit()).as(run.stderr()).isEqualTo(0);
        assertThat(run.stdout()).contains("announced").contains("2 rounds");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline && !clientEntry(ip).map(n -> Topology.VM_MAC.equals(n.mac())).orElse(false)) {
            Thread.sleep(20);
        }
        assertThat(clientEntry(ip).map(Neighbour::mac)).contains(Topology.VM_MAC);
    }

    @Test
    void probeConflictAnnouncesNothing() throws Exception {
        String hostA = LAB.lab().port("hostA").ipv4Address();
        Run run = announce("--iface", "eth0", "--mac", "02:00:00:00:aa:07", "--ip", hostA, "--probe", "--probe-wait", "1s");
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        assertThat(run.stderr()).contains("is owned by").contains("nothing announced");
    }

    @Test
    void badInputIsExit2WithOneLineReason() throws Exception {
        String[][] cases = {
                {"--iface", "eth0", "--mac", "02:00:c6:12:00", "--ip", "198.18.0.100"},
                {"--iface", "eth0", "--mac", "ff:ff:ff:ff:ff:ff", "--ip", "198.18.0.100"},
                {"--iface", "nosuch0", "--mac", Topology.VM_MAC, "--ip", "198.18.0.100"},
                {"--iface", "eth0", "--mac", Topology.VM_MAC, "--ip", "example.com"},
                {"--iface", "eth0", "--mac", Topology.VM_MAC, "--ip", "198.18.0.300"},
                {"--iface", "eth0", "--mac", Topology.VM_MAC, "--ip", "198.18.0.100,198.18.0.1", "--allow", "198.18.0.100"},
                {"--iface", "eth0", "--mac", Topology.VM_MAC, "--ip", "198.18.0.100", "--initial", "5x"},
                {"--iface", "eth0", "--mac", Topology.VM_MAC, "--ip", "198.18.0.100", "--vlan", "5000"},
                {"--iface", "eth0", "--mac", Topology.VM_MAC, "--ip", "198.18.0.100", "--form", "garp"},
                {"--iface", "eth0", "--mac", Topology.VM_MAC, "--ip", "198.18.0.100", "--rounds", "0"},
        };
        for (String[] args : cases) {
            Run run = announce(args);
            String reason = run.stderr().lines().filter(l -> l.startsWith("cutover:") || l.contains("Invalid value")).findFirst().orElse("");
            assertThat(run.exit()).as(String.join(" ", args) + " -> " + run.stderr()).isEqualTo(2);
            assertThat(reason).as(String.join(" ", args) + " -> " + run.stderr()).isNotBlank();
            assertThat(run.stdout()).doesNotContain("announced");
        }
    }
}
