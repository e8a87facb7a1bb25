package io.cutover.lab.impl;

import io.cutover.lab.LabException;
import io.cutover.lab.Port;
import io.cutover.lab.Topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The lab's authoritative BIND 9: a forward zone for the VMs and a reverse zone for 198.18.0.0/16, both
 * updatable (RFC 2136) with a TSIG hmac-sha256 key generated for this lab alone.
 */
public final class BindServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path dir;
    private final String namespace;
    private final Topology topology;

    public BindServer(Path dir, String namespace, Topology topology) {
        this.dir = dir;
        this.namespace = namespace;
        this.topology = topology;
    }

    public Path keyFile() {
        return dir.resolve(Topology.TSIG_KEY_NAME + ".key");
    }

    /** The key the server knows but whose updates it refuses. */
    public Path ungrantedKeyFile() {
        return dir.resolve(Topology.UNGRANTED_KEY_NAME + ".key");
    }

    public Path pidFile() {
        return dir.resolve("named.pid");
    }

    /** The server's address in the lab. */
    public String address() {
        return topology.port("dns").orElseThrow().ipv4Address();
    }

    /** Writes the key, the configuration and the zones. */
    public void configure() {
        try {
            Files.createDirectories(dir);
            String key = Shell.run("tsig-keygen", "-a", "hmac-sha256", Topology.TSIG_KEY_NAME).orThrow().stdout();
            Files.writeString(keyFile(), key);
            Files.writeString(ungrantedKeyFile(), Shell.run("tsig-keygen", "-a", "hmac-sha256",
                    Topology.UNGRANTED_KEY_NAME).orThrow().stdout());
            Files.writeString(dir.resolve("named.conf"), config());
            Files.writeString(zoneFile(Topology.ZONE), forwardZone());
            Files.writeString(zoneFile(Topology.REVERSE_ZONE), reverseZone());
        } catch (IOException e) {
            throw new LabException("cannot write the BIND configuration in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Starts {@code named} and waits until it answers for the zone. */
    public void start(StateJournal journal) {
        if (journal != null) {
            journal.recordDaemon("named", pidFile());
        }
        Shell.runIn(namespace, "named", "-c", dir.resolve("named.conf").toString()).orThrow();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (answers()) {
                return;
            }
            Daemons.sleep(Duration.ofMillis(50));
        }
        throw new LabException("named did not answer for " + Topology.ZONE + " within " + START_TIMEOUT
                + "; see " + dir.resolve("named.log"));
    }

    /** Whether the server answers a SOA query for the zone. */
    public boolean answers() {
        var result = Shell.runIn(namespace, "dig", "+short", "+time=1", "+tries=1", "@" + address(),
                Topology.ZONE, "SOA");
        return result.ok() && !result.stdout().isBlank();
    }

    public void stop() {
        Daemons.stop(pidFile(), Duration.ofSeconds(5));
    }

    public boolean running() {
        return Daemons.alivePid(pidFile()).isPresent();
    }

    private Path zoneFile(String zone) {
        return dir.resolve(zone + "zone");
    }

    private String config() {
        return """
                options {
                    directory "%1$s";
                    pid-file "%2$s";
                    listen-on port 53 { %3$s; 127.0.0.1; };
                    listen-on-v6 { none; };
                    recursion no;
                    allow-transfer { none; };
                    dnssec-validation no;
                    notify no;
                };
                controls { };
                logging {
                    channel lab { file "%1$s/named.log"; severity info; print-time yes; };
                    category default { lab; };
                };
                include "%4$s";
                include "%10$s";
                zone "%5$s" {
                    type primary;
                    file "%6$s";
                    update-policy { grant %7$s zonesub ANY; };
                };
                zone "%8$s" {
                    type primary;
                    file "%9$s";
                    update-policy { grant %7$s zonesub ANY; };
                };
                """.formatted(dir, pidFile(), address(), keyFile(), Topology.ZONE, zoneFile(Topology.ZONE),
                Topology.TSIG_KEY_NAME, Topology.REVERSE_ZONE, zoneFile(Topology.REVERSE_ZONE), ungrantedKeyFile());
    }

    private String forwardZone() {
        Port vm = topology.port(Topology.VM).orElseThrow();
        StringBuilder zone = new StringBuilder(soa(Topology.ZONE));
        zone.append("ns1 300 IN A ").append(address()).append('\n');
        zone.append("vm1 300 IN A ").append(vm.ipv4Address()).append('\n');
        if (vm.ipv6() != null) {
            zone.append("vm1 300 IN AAAA ").append(vm.ipv6Address()).append('\n');
        }
        return zone.toString();
    }

    private String reverseZone() {
        Port vm = topology.port(Topology.VM).orElseThrow();
        List<String> octets = List.of(vm.ipv4Address().split("\\."));
        return soa(Topology.REVERSE_ZONE)
                + octets.get(3) + "." + octets.get(2) + " 300 IN PTR vm1." + Topology.ZONE + "\n";
    }

    private static String soa(String origin) {
        return "$ORIGIN " + origin + "\n$TTL 300\n"
                + "@ IN SOA ns1." + Topology.ZONE + " hostmaster." + Topology.ZONE + " 1 3600 600 86400 60\n"
                + "@ IN NS ns1." + Topology.ZONE + "\n";
    }
}
