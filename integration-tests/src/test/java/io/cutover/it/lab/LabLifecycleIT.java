package io.cutover.it.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.it.Launcher;
import io.cutover.lab.Lab;
import io.cutover.lab.Libvirtd;
import io.cutover.lab.Topology;
import io.cutover.lab.impl.PacketSocketBuffers;
import io.cutover.lab.impl.Shell;
import io.cutover.support.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A lab's whole life: up, in use, down, and what is left afterwards (nothing), also after a crash. */
class LabLifecycleIT {

    /**
     * One lab's whole life, one lab for all of it (a lab takes some 15 s to build): up, with every switch port's reader
     * buffered; {@code status} as text and JSON; another user's {@code down --all} leaves it; that user's {@code down}
     * by name removes it, and nothing is left.
     */
    @Test
    void upStatusAndDownByAnotherUserByNameLeaveNothingBehind(@TempDir Path tmp) throws Exception {
        Lab lab = Lab.up(null, Topology.LAN);
        try {
            assertThat(LabLeftovers.of(lab.name())).isNotEmpty();
            assertThat(lab.bridgePorts("br-a")).contains("vm1", "hostA");
            assertThat(lab.dnsRunning()).isTrue();
            for (String node : new String[] {"fabric", "hostA", "hostB"}) {
                // each port's reader is bound to its interface ("*:eth0"); a socket of protocol 0 reads nothing
                assertThat(lab.exec(node, "ss", "-0", "-m", "-n").orThrow().stdout().lines()
                        .filter(line -> line.matches("p_raw .*\\*:\\S+ .*")).toList())
                        .as("the switch's port readers in %s, with their receive buffers", node).isNotEmpty()
                        .allMatch(line -> line.contains("rb" + 2 * PacketSocketBuffers.BYTES));
            }

            Process status = Launcher.start(tmp.resolve("status.log"), null, "lab", "status", "--name", lab.name());
            assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(tmp.resolve("status.log"));
            assertThat(status.exitValue()).as(out).isZero();
            assertThat(out).contains(lab.namespace("vm1"), "198.18.0.100/24")
                    .containsPattern("\n  NODE +NAMESPACE +STATE\n").containsPattern("\n  DAEMON +HOST +PID\n")
                    .containsPattern("\n  BRIDGE +DATAPATH ID +PORTS\n")
                    .containsPattern("\n  NODE +INTERFACE +STATE +ADDRESSES\n")
                    .containsPattern("\n  ovs-vswitchd +fabric +\\d+\n").containsPattern("\n  named +fabric +\\d+\n")
                    .containsPattern("\n  ovs-vswitchd +hostA +\\d+\n")
                    .containsPattern("\n  br-a +00000000000000a0 +a-to-tor hostA up-hostA vm1\n")
                    .containsPattern("\n  hostA/br-int +00000000000000a1 +fwd gnv-hostB uplink")
                    .containsPattern("\n  hostA/br-phy +00000000000000a2 +ovl0\n");

            Process json = Launcher.start(tmp.resolve("status.json"), null, "lab", "status", "--name", lab.name(),
                    "--json");
            assertThat(json.waitFor(60, TimeUnit.SECONDS)).isTrue();
            JsonNode labs = new ObjectMapper().readTree(tmp.resolve("status.json").toFile());
            assertThat(labs.isArray() && labs.size() == 1).as("one lab: %s", labs).isTrue();
            JsonNode shown = labs.get(0);
            assertThat(shown.path("name").asText()).isEqualTo(lab.name());
            assertThat(shown.path("bridges").findValuesAsText("name")).contains("br-a", "hostA/br-int");
            assertThat(shown.path("bridges")).anySatisfy(bridge -> {
                assertThat(bridge.path("name").asText()).isEqualTo("br-a");
                assertThat(bridge.path("ports")).extracting(JsonNode::asText).contains("vm1");
            });
            assertThat(shown.path("daemons")).allSatisfy(daemon -> assertThat(daemon.path("pid").isNumber())
                    .as("%s runs", daemon).isTrue());
            assertThat(shown.path("addresses")).anySatisfy(address -> {
                assertThat(address.path("node").asText()).isEqualTo("vm1");
                assertThat(address.path("addresses")).extracting(JsonNode::asText).contains("198.18.0.100/24");
            });

            Path others = tmp.resolve("others.log");
            assertThat(runAs("someone-else", others, "lab", "down", "--all")).isZero();
            assertThat(Files.readString(others)).contains("left the labs other users made", lab.name());
            assertThat(Lab.list()).as("another user's --all leaves this user's lab").contains(lab.name());

            // by name, not --all --force: that would also remove the labs of whoever else uses this machine now
            Path named = tmp.resolve("named.log");
            assertThat(runAs("someone-else", named, "lab", "down", "--name", lab.name()))
                    .as(Files.exists(named) ? Files.readString(named) : "").isZero();
            assertThat(Lab.list()).doesNotContain(lab.name());
        } finally {
            if (Lab.list().contains(lab.name())) {
                lab.close();
            }
        }
        assertThat(LabLeftovers.of(lab.name())).isEmpty();
    }

    @Test
    void upWithLibvirtRunsALibvirtdOnEachHostThatTheOtherReachesAndDownStopsThem(@TempDir Path tmp) throws Exception {
        String name = Lab.newName();
        java.util.List<ProcessHandle> daemons = new java.util.ArrayList<>();
        try {
            assertThat(runAs(null, tmp.resolve("up.log"), "lab", "up", "--libvirt", "--name", name))
                    .as(read(tmp.resolve("up.log"))).isZero();
            Lab lab = Lab.attach(name);
            for (String host : new String[] {"hostA", "hostB"}) {
                Libvirtd libvirtd = Libvirtd.running(lab, host).orElseThrow();
                String other = host.equals("hostA") ? "hostB" : "hostA";
                assertThat(lab.exec(other, "virsh", "-c", libvirtd.uri(), "uri").orThrow().stdout().strip())
                        .as("%s's libvirtd, from %s over the underlay", host, other).isEqualTo(libvirtd.uri());
                for (String pid : Shell.run("ip", "netns", "pids", lab.namespace(host)).stdout().split("\\s+")) {
                    ProcessHandle.of(Long.parseLong(pid)).filter(p -> p.info().command().orElse("")
                            .matches(".*/(libvirtd|virtlogd)")).ifPresent(daemons::add);
                }
            }
            assertThat(daemons).as("a libvirtd and a virtlogd on each host").hasSize(4);
        } finally {
            assertThat(runAs(null, tmp.resolve("down.log"), "lab", "down", "--name", name))
                    .as(read(tmp.resolve("down.log"))).isZero();
        }
        assertThat(LabLeftovers.of(name)).isEmpty();
        assertThat(daemons).as("libvirtd or virtlogd left").noneMatch(Processes::running);
    }

    @Test
    void aLabUpStoppedWhileItIsMadeLeavesNothingBehind(@TempDir Path tmp) throws Exception {
        String name = Lab.newName();
        Path log = tmp.resolve("up.log");
        Process up = Launcher.start(log, null, "lab", "up", "--name", name);
        List<String> left;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (LabLeftovers.of(name).stream().noneMatch(found -> found.startsWith("namespace"))) {
                assertThat(up.isAlive()).as("lab up, before its first namespace: %s", read(log)).isTrue();
                assertThat(System.nanoTime()).as("lab up's first namespace").isLessThan(deadline);
                Thread.sleep(20);
            }
            up.destroy();
            assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("lab up ends after a SIGTERM").isTrue();
            left = LabLeftovers.of(name);
        } finally {
            if (up.isAlive()) {
                up.destroyForcibly();
            }
            if (Lab.list().contains(name)) {
                runAs(null, tmp.resolve("down.log"), "lab", "down", "--name", name);
            }
        }
        assertThat(left).as("left by a lab up stopped half way: %s", read(log)).isEmpty();
    }

    @Test
    void twoLabsRunAtOnceWithoutClashing() throws Exception {
        try (Lab first = Lab.up(null, Topology.LAN); Lab second = Lab.up(null, Topology.LAN)) {
            assertThat(first.name()).isNotEqualTo(second.name());
            for (Lab lab : new Lab[] {first, second}) {
                lab.exec("client", "ping", "-c", "2", "-i", "0.2", "-W", "2", lab.port("vm1").ipv4Address()).orThrow();
            }
            first.exec("hostA", "ip", "link", "set", "eth0", "down").orThrow();
            assertThat(second.exec("client", "ping", "-c", "1", "-W", "2", "198.18.0.1").ok())
                    .as("the second lab's hostA does not depend on the first's").isTrue();
        }
    }

    @Test
    void downAfterAKill9DuringUpCleansUp(@TempDir Path tmp) throws Exception {
        String name = Lab.newName();
        Process up = Launcher.start(tmp.resolve("up.log"), null, "lab", "up", "--name", name);
        Path journal = Path.of("/run/cutover/labs", name, "state.jsonl");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && !read(journal).contains("ovs-vswitchd") && up.isAlive()) {
            Thread.sleep(5);
        }
        assertThat(up.isAlive()).as("the lab was still being built when killed; log: %s",
                Files.exists(tmp.resolve("up.log")) ? Files.readString(tmp.resolve("up.log")) : "").isTrue();
        up.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertThat(LabLeftovers.of(name)).as("the killed build left something to clean up").isNotEmpty();

        Process down = Launcher.start(tmp.resolve("down.log"), null, "lab", "down", "--name", name);
        assertThat(down.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(down.exitValue()).as(Files.readString(tmp.resolve("down.log"))).isZero();
        assertThat(LabLeftovers.of(name)).isEmpty();
    }

    @Test
    void aMissingLabIsAnErrorAndABadTopologyIsUsage(@TempDir Path tmp) throws Exception {
        assertThat(run(tmp, "lab", "status", "--name", "lab-absent")).isEqualTo(1);
        assertThat(run(tmp, "lab", "up", "--topology", "moon")).isEqualTo(2);
        assertThat(run(tmp, "lab", "up", "--name", "Bad/Name")).isEqualTo(2);
        assertThat(run(tmp, "no-such-command")).isEqualTo(2);
    }

    @Test
    void notRootExitsWith3AndNamesTheReason(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("nobody.log");
        var command = new java.util.ArrayList<>(java.util.List.of("setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups"));
        command.addAll(Launcher.command(null, "lab", "up"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(log)).isEqualTo(3);
        assertThat(Files.readString(log)).contains("needs root").doesNotContain("Exception");
    }

    @Test
    void downRefusesAnUnknownName(@TempDir Path tmp) throws Exception {
        Path typo = tmp.resolve("typo.log");
        assertThat(runAs(null, typo, "lab", "down", "--name", "lab-typo")).isEqualTo(1);
        assertThat(Files.readString(typo)).contains("no lab named lab-typo").doesNotContain("removed");
    }

    /** Runs the launcher as if {@code sudoUser} had called it through sudo ({@code null}: as this user). */
    private static int runAs(String sudoUser, Path log, String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Launcher.command(null, args)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        if (sudoUser != null) {
            builder.environment().put("SUDO_USER", sudoUser);
        }
        Process process = builder.start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    private static int run(Path tmp, String... args) throws Exception {
        Process process = Launcher.start(tmp.resolve("run.log"), null, args);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (Exception e) {
            return "";
        }
    }

}
