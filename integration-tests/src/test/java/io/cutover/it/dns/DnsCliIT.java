package io.cutover.it.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.it.LabExtension;
import io.cutover.it.Launcher;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cutover dns ...} as a real process inside the lab's client namespace, against the lab's BIND. */
class DnsCliIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    @TempDir
    Path dir;

    private record Run(int exitCode, String output) {
    }

    private static Lab lab() {
        return LAB.lab();
    }

    private List<String> common(Path key) {
        return List.of("--server", lab().dnsServer(), "--key", key.toString(), "--journal", dir.resolve("journal").toString());
    }

    private Run cutover(String... args) throws Exception {
        Path log = Files.createTempFile(dir, "cli", ".log");
        Process process = Launcher.start(log, lab().namespace("client"), args);
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("cutover %s finished", List.of(args)).isTrue();
        return new Run(process.exitValue(), Files.readString(log));
    }

    private Run dns(String sub, Path key, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("dns", sub));
        args.addAll(List.of(more));
        args.addAll(common(key));
        return cutover(args.toArray(String[]::new));
    }

    private static String dig(String name) {
        return lab().exec("client", "dig", "+short", "@" + lab().dnsServer(), name, "A").orThrow().stdout().strip();
    }

    @Test
    void anAgentKilledWithAnUpdateInItsQueueAppliesItAfterARestart() throws Exception {
        Path key = lab().tsigKeyFile();
        String name = "killed." + Topology.ZONE;
        assertThat(lab().exec("client", "sh", "-c", "printf 'server " + lab().dnsServer() + "\\nupdate add " + name
                + " 300 A 198.18.0.81\\nsend\\n' | nsupdate -k " + key).ok()).isTrue();
        lab().stopDns();
        Process agent;
        try {
            List<String> args = new ArrayList<>(List.of("dns", "update", name, "--old", "198.18.0.81", "--new", "198.18.0.82",
                    "--attempts", "1000", "--timeout", "300ms"));
            args.addAll(common(key));
            agent = Launcher.start(dir.resolve("agent.log"), lab().namespace("client"), args.toArray(String[]::new));
            Path journal = dir.resolve("journal").resolve("ddns-journal.log");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(journal) && Files.readString(journal).contains(" P ")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(journal)).contains(" P ");
            Thread.sleep(500);
            assertThat(agent.isAlive()).as("the agent keeps retrying while DNS is down").isTrue();
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertThat(agent.exitValue()).isEqualTo(137);
        } finally {
            lab().startDns();
        }
        assertThat(dig(name)).isEqualTo("198.18.0.81");
        Run queue = dns("queue", key);
        assertThat(queue.exitCode()).isZero();
        assertThat(queue.output()).contains("1 pending update(s)").contains(name);
        Run json = dns("queue", key, "--json");
        assertThat(json.exitCode()).as(json.output()).isZero();
        JsonNode queued = new ObjectMapper().readTree(json.output());
        assertThat(queued.path("pending")).as("%s", queued).hasSize(1);
        assertThat(queued.path("pending").get(0).path("changes").toString()).contains(name);
        assertThat(queued.path("replayed")).isEmpty();
        Run replay = dns("queue", key, "--replay");
        assertThat(replay.exitCode()).as(replay.output()).isZero();
        assertThat(dig(name)).isEqualTo("198.18.0.82");
        assertThat(dns("queue", key).output()).contains("0 pending update(s)");
    }

    @Test
    void aWrongKeyIsAOneLineErrorAndAnMd5KeyIsBadInput() throws Exception {
        Path wrong = dir.resolve("wrong.key");
        Files.writeString(wrong, "key \"cutover-lab\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + "A".repeat(43) + "=\";\n};\n");
        Run run = dns("update", wrong, "vm1." + Topology.ZONE, "--old", "198.18.0.100", "--new", "198.18.0.101");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output().strip().lines()).singleElement().asString()
                .startsWith("cutover: ").contains("BADSIG").contains(Topology.ZONE);
        assertThat(dig("vm1." + Topology.ZONE)).isEqualTo(lab().port("vm1").ipv4Address());
        Path md5 = dir.resolve("md5.key");
        Files.writeString(md5, "key \"old\" { algorithm hmac-md5; secret \"" + "A".repeat(22) + "==\"; };\n");
        Run refused = dns("show", md5, "vm1." + Topology.ZONE);
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.output().strip().lines()).singleElement().asString().contains("hmac-md5");
    }

    @Test
    void showDryRunAndAConflictFromTheCommandLine() throws Exception {
        Path key = lab().tsigKeyFile();
        String vm = "vm1." + Topology.ZONE;
        Run show = dns("show", key, vm);
        assertThat(show.exitCode()).isZero();
        assertThat(show.output()).contains("A 300 " + lab().port("vm1").ipv4Address());
        Run json = dns("show", key, vm, "--json");
        assertThat(json.exitCode()).isZero();
        JsonNode shown = new ObjectMapper().readTree(json.output());
        assertThat(shown.path("name").asText()).as("absolute").isEqualTo(vm.endsWith(".") ? vm : vm + ".");
        assertThat(shown.path("zone").asText()).startsWith(Topology.ZONE);
        assertThat(shown.path("serial").isNumber()).as("%s", shown).isTrue();
        assertThat(shown.path("rrsets").toString()).contains("A 300 " + lab().port("vm1").ipv4Address());
        Run dry = dns("update", key, vm, "--old", "198.18.0.100", "--new", "198.18.0.177", "--dry-run");
        assertThat(dry.exitCode()).isZero();
        assertThat(dry.output()).contains("PREREQUISITES").contains("198.18.0.177").contains("TSIG");
        assertThat(dig(vm)).isEqualTo(lab().port("vm1").ipv4Address());
        Run conflict = dns("update", key, vm, "--old", "198.18.0.5", "--new", "198.18.0.177");
        assertThat(conflict.exitCode()).isEqualTo(1);
        assertThat(conflict.output()).contains("NXRRSET").contains("holds [A 300 " + lab().port("vm1").ipv4Address());
        Run bad = dns("update", key, vm, "--old", "not-an-ip", "--new", "198.18.0.177");
        assertThat(bad.exitCode()).isEqualTo(2);
    }
}
