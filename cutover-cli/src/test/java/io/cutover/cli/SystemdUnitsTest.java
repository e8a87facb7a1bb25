package io.cutover.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The systemd units under packaging/systemd: they run real commands of the launcher, hardened, and systemd takes them. */
class SystemdUnitsTest {
    private static final Path UNITS = Path.of("..", "packaging", "systemd");
    private static final String JAR = "/opt/cutover/cutover.jar";

    @ParameterizedTest
    @ValueSource(strings = {"cutover-agent.service", "cutover-sdn.service", "cutover-tunnel.service"})
    void eachUnitStartsARealCommandOfTheLauncher(String unit) throws Exception {
        String exec = line(unit, "ExecStart=");
        assertThat(exec).startsWith("/usr/bin/java $CUTOVER_JAVA_OPTS -jar " + JAR + " ");
        String[] args = exec.substring(exec.indexOf(JAR) + JAR.length()).strip()
                .replaceAll("\\$\\{[A-Z_]+}", "/placeholder").split("\\s+");
        // parses only if the subcommand and every option exist
        CutoverCommand.commandLine().parseArgs(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cutover-agent.service", "cutover-sdn.service", "cutover-tunnel.service"})
    void eachUnitIsHardenedAndRestarts(String unit) throws Exception {
        List<String> lines = Files.readAllLines(UNITS.resolve(unit));
        assertThat(lines).contains("NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                "Restart=on-failure");
        assertThat(lines).as("ready once it serves: each daemon sends READY=1 (SystemdNotify)").contains("Type=notify");
        assertThat(line(unit, "RestrictAddressFamilies=")).as("the notify socket is a Unix socket").contains("AF_UNIX");
        String capabilities = line(unit, "CapabilityBoundingSet=");
        assertThat(Arrays.asList(capabilities.split(" "))).as("no more than raw sockets and interfaces")
                .allMatch(c -> c.isEmpty() || c.equals("CAP_NET_RAW") || c.equals("CAP_NET_ADMIN"));
        if (unit.equals("cutover-sdn.service")) {
            assertThat(capabilities).as("the controller needs none").isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cutover-agent.service", "cutover-sdn.service", "cutover-tunnel.service"})
    void systemdTakesEachUnitWithoutAWarning(String unit) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        Process verify = new ProcessBuilder(analyze.toString(), "verify", "--man=no",
                UNITS.resolve(unit).toAbsolutePath().normalize().toString()).redirectErrorStream(true).start();
        String out = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).as(out).isZero();
        assertThat(out).as("systemd's warnings").isBlank();
    }

    private static String line(String unit, String key) throws Exception {
        return Files.readAllLines(UNITS.resolve(unit)).stream().filter(l -> l.startsWith(key)).findFirst()
                .map(l -> l.substring(key.length())).orElseThrow(() -> new AssertionError(unit + " has no " + key));
    }
}
