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
                sdn:
                  url: http://127.0.0.1:8181/v1
                  switches: {hostA: 00000000000000a0, hostB: "0xb0"}
                announce:
                  interface: eth0
                """));
        assertThat(config.host()).isEqualTo("hostA");
        assertThat(config.address()).isEqualTo("198.19.0.1");
        assertThat(config.port()).isEqualTo(7070);
        assertThat(config.token()).isEqualTo("0123456789abcdef0123");
        assertThat(config.peers()).containsEntry("hostB", URI.create("http://198.19.0.2:7070"));
        assertThat(config.steps()).containsExactly("sdn", "announce");
        assertThat(config.tunnel()).isNull();
        assertThat(config.dns()).isNull();
    }

    @Test
    void defaultsToLoopbackAndNoSteps() throws Exception {
        AgentConfig config = AgentConfig.load(write("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\n"));
        assertThat(config.address()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(7070);
        assertThat(config.steps()).isEmpty();
    }

    @Test
    void theLibvirtSectionTakesItsDefaultsAndABadValueNamesItsKey() throws Exception {
        String base = "host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\n";
        assertThat(AgentConfig.load(write(base)).libvirt()).as("absent: no libvirtd followed").isNull();
        LibvirtConfig defaults = AgentConfig.load(write(base + "libvirt: {}\n")).libvirt();
        assertThat(defaults).isEqualTo(new LibvirtConfig("qemu:///system", "virsh",
                java.time.Duration.ofMillis(100)));
        Path virsh = Files.createFile(dir.resolve("virsh"), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        LibvirtConfig given = AgentConfig.load(write(base + """
                libvirt:
                  uri: qemu+tcp://198.19.0.1:16509/system
                  virsh: %s
                  event-lag: 250ms
                """.formatted(virsh))).libvirt();
        assertThat(given).isEqualTo(new LibvirtConfig("qemu+tcp://198.19.0.1:16509/system", virsh.toString(),
                java.time.Duration.ofMillis(250)));
        assertBad(base + "libvirt: {event-lag: soon}\n", "libvirt.event-lag");
        assertBad(base + "libvirt: {event-lag: 0ms}\n", "libvirt.event-lag: must be above zero");
        assertBad(base + "libvirt: {event-lag: 1s}\n", "libvirt.event-lag: at most 400ms");
        assertBad(base + "libvirt: {uri: 'not a uri'}\n", "libvirt.uri: expected a libvirt URI");
        assertBad(base + "libvirt: {virsh: /nonexistent/virsh}\n", "libvirt.virsh: cannot run /nonexistent/virsh");
        assertBad(base + "libvirt: {domain: qvm}\n", "libvirt.domain");
    }

    @Test
    void theLogLevelIsReadInAnyCaseAndABadOneNamesTheKey() throws Exception {
        assertThat(AgentConfig.load(write("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\n")).logLevel())
                .as("as the launcher says").isNull();
        assertThat(AgentConfig.load(write("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\nlog-level: Debug\n"))
                .logLevel()).isEqualTo(io.cutover.support.LogLevel.DEBUG);
        assertBad("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\nlog-level: loud\n",
                "log-level: 'loud' is not a log level (expected trace, debug, info, warn, error)");
    }

    @Test
    void badValuesNameTheFileTheKeyAndTheProblem() throws Exception {
        assertBad("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\nlisten: nowhere\n", "listen: expected ADDRESS:PORT");
        assertBad("host: h\ntoken: short\nmemory-mib: 1\n", "token: expected a bearer token");
        assertBad("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\nsteps: [sdn]\n", "steps: unknown key");
        assertBad("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\npeers: {b: 'ftp://x'}\n", "peers.b: expected an http(s) URL");
        assertBad("host: h\ntoken: 0123456789abcdef\nmemory-mib: 1\ncolour: blue\n", "colour: unknown key");
        assertBad("host: h\ntoken: 0123456789abcdef\n", "memory-mib:");
        assertBad("host: [unclosed\n", "(file): cannot read");
    }

    @Test
    void readsEverySectionWithItsDefaults() throws Exception {
        Files.writeString(dir.resolve("tsig.key"), KEY);
        Files.writeString(dir.resolve("sdn.token"), "s3cret\n");
        AgentConfig config = AgentConfig.load(write(BASE + """
                sdn:
                  url: http://127.0.0.1:8181/v1
                  token-file: sdn.token
                  switches: {hostA: 00000000000000a0, hostB: "0xb0"}
                  forwarder-ports: {hostA: fwd0}
                  rollback-patience: 20s
                tunnel:
                  api: 'http://127.0.0.1:7946'
                  drain-idle: 5s
                migration:
                  listen: 198.19.0.1:0
                  netns: lab-x-hostA
                announce:
                  interface: eth0
                  netns: lab-x-hostB
                  forms: [rarp, 'request,na']
                  schedule: keepalived
                dns:
                  server: 198.18.0.53:53
                  zone: vms.cutover.test.
                  key-file: tsig.key
                  queue-dir: queue
                  timeout: 300ms
                """));
        assertThat(config.steps()).containsExactly("dns", "sdn", "tunnel", "announce");
        assertThat(config.sdn().token()).isEqualTo("s3cret");
        assertThat(config.sdn().switchOf("hostB")).isEqualTo(io.cutover.sdn.Dpid.of(0xb0));
        assertThat(config.sdn().forwarderPorts()).containsExactly(java.util.Map.entry("hostA", "fwd0"));
        assertThat(config.sdn().timeout()).isEqualTo(SdnConfig.DEFAULT_TIMEOUT);
        assertThat(config.sdn().rollbackPatience()).hasSeconds(20);
        assertThat(config.tunnel().api()).isEqualTo(URI.create("http://127.0.0.1:7946"));
        assertThat(config.tunnel().drainIdle()).hasSeconds(5);
        assertThat(config.tunnel().drainHardMax()).isEqualTo(io.cutover.tunnel.DrainPolicy.DEFAULT_HARD_MAX);
        assertThat(config.migration().listen().getPort()).isZero();
        assertThat(config.migration().netns()).isEqualTo("lab-x-hostA");
        assertThat(config.announce().forms()).containsExactlyInAnyOrder(io.cutover.arp.AnnounceForm.RARP,
                io.cutover.arp.AnnounceForm.REQUEST, io.cutover.arp.AnnounceForm.NA);
        assertThat(config.announce().netns()).isEqualTo("lab-x-hostB");
        assertThat(config.announce().verifyTimeout()).isEqualTo(AnnounceConfig.DEFAULT_VERIFY_TIMEOUT);
        assertThat(config.dns().server().getPort()).isEqualTo(53);
        assertThat(config.dns().key().name()).isEqualTo("cutover-lab");
        assertThat(config.dns().queueDir()).isEqualTo(dir.resolve("queue")).isDirectory();
        assertThat(config.dns().timeout()).hasMillis(300);
        assertThat(config.dns().loweredTtl()).isEqualTo(io.cutover.ddns.DnsCutoverListener.DEFAULT_LOWERED_TTL);
    }

    @Test
    void theControllerMaySendTheAnnouncementsFromTheVmsPort() throws Exception {
        AgentConfig config = AgentConfig.load(write(BASE + "sdn: {url: 'http://x', switches: {a: '0x1'}}\n"
                + "announce: {via: controller, forms: [request, na]}\n"));
        assertThat(config.announce().viaController()).isTrue();
        assertThat(config.announce().iface()).isNull();
        assertThat(AgentConfig.load(write(BASE + "announce: {interface: eth0}\n")).announce().viaController()).isFalse();
        assertThat(AgentConfig.load(write(BASE + "announce: {interface: eth0, verify-timeout: 500ms}\n")).announce()
                .verifyTimeout()).hasMillis(500);
    }

    @Test
    void aControllerClusterIsGivenByEveryMembersUrl() throws Exception {
        AgentConfig config = AgentConfig.load(write(BASE + "sdn: {urls: ['http://c1:8181/v1', 'http://c2:8181/v1'], "
                + "switches: {a: '0x1'}}\n"));
        assertThat(config.sdn().urls()).extracting(java.net.URI::getHost).containsExactly("c1", "c2");
        assertThat(AgentConfig.load(write(BASE + "sdn: {url: 'http://c1:8181/v1', switches: {a: '0x1'}}\n")).sdn()
                .urls()).extracting(java.net.URI::getHost).containsExactly("c1");
        assertBad(BASE + "sdn: {url: 'http://c1', urls: ['http://c2'], switches: {a: '0x1'}}\n",
                "sdn.urls: give url (one controller) or urls (a cluster's members), not both");
        assertBad(BASE + "sdn: {urls: [], switches: {a: '0x1'}}\n", "sdn.urls: empty");
        assertBad(BASE + "sdn: {urls: ['http://c1', 'c2:8181'], switches: {a: '0x1'}}\n",
                "sdn.urls[1]: expected an http(s) URL, got 'c2:8181'");
    }

    @Test
    void badSectionsNameTheKey() throws Exception {
        Files.writeString(dir.resolve("tsig.key"), KEY);
        Files.writeString(dir.resolve("broken.key"), "key \"k\" { algorithm hmac-sha256; };\n");
        assertBad(BASE + "sdn: {url: 'ftp://x', switches: {a: '0x1'}}\n", "sdn.url: expected an http(s) URL, got 'ftp://x'");
        assertBad(BASE + "sdn: {url: 'http://x:8181/v1'}\n", "sdn.switches: missing");
        assertBad(BASE + "sdn: {url: 'http://x', switches: {a: '0x1'}, timeout: soon}\n", "sdn.timeout: bad duration 'soon'");
        assertBad(BASE + "sdn: {url: 'http://x', switches: {a: '0x1'}, colour: red}\n", "sdn.colour: unknown key");
        assertBad(BASE + "sdn: {url: 'http://x', switches: {a: '0x1'}, timeout: 3s, verify-timeout: 5s}\n",
                "sdn.verify-timeout: must be shorter than sdn.timeout (3000 ms)");
        assertBad(BASE + "sdn: {url: 'http://x', switches: {hostA: br-int}}\n",
                "sdn.switches.hostA: 'br-int' is not a datapath id");
        assertBad(BASE + "sdn: {url: 'http://x', bridges: {hostA: br-a}}\n", "sdn.bridges: replaced by sdn.switches");
        assertBad(BASE + "tunnel: {api: 'not a url'}\n", "tunnel.api: expected an http(s) URL");
        assertBad(BASE + "tunnel: {daemons: {a: 'http://x'}}\n", "tunnel.daemons: unknown key");
        assertBad(BASE + "tunnel: {api: 'http://x', drain-hard-max: 0}\n", "tunnel.drain-hard-max: must be above zero");
        assertBad(BASE + "migration: {listen: somewhere}\n", "migration.listen: expected HOST:PORT");
        assertBad(BASE + "announce: {forms: [rarp]}\n", "announce.interface: missing");
        assertBad(BASE + "announce: {interface: eth0, forms: [smoke]}\n", "announce.forms: unknown announcement form 'smoke'");
        assertBad(BASE + "announce: {interface: eth0, schedule: hourly}\n", "announce.schedule: expected qemu");
        assertBad(BASE + "announce: {via: carrier-pigeon}\n", "announce.via: expected interface or controller");
        assertBad(BASE + "announce: {interface: eth0, verify-timeout: 1m}\n", "announce.verify-timeout: at most 30 s");
        assertBad(BASE + "announce: {interface: eth0, verify-timeout: 0s}\n", "announce.verify-timeout: must be above zero");
        assertBad(BASE + "announce: {via: controller}\n", "announce.via: controller needs the sdn section");
        assertBad(BASE + "sdn: {url: 'http://x', switches: {a: '0x1'}}\nannounce: {via: controller, interface: eth0}\n",
                "announce.via: controller sends from the VM's port: no interface or netns goes with it");
        assertBad(BASE + "dns: {server: 198.18.0.53, key-file: tsig.key, queue-dir: q}\n", "dns.server: expected HOST:PORT");
        assertBad(BASE + "dns: {server: '198.18.0.53:53', key-file: missing.key, queue-dir: q}\n",
                "dns.key-file: cannot read " + dir.resolve("missing.key"));
        assertBad(BASE + "dns: {server: '198.18.0.53:53', key-file: broken.key, queue-dir: q}\n", "dns.key-file: ");
        assertBad(BASE + "dns: {server: '198.18.0.53:53', key-file: tsig.key}\n", "dns.queue-dir: missing");
        assertBad(BASE + "dns: {server: '198.18.0.53:53', key-file: tsig.key, queue-dir: q, attempts: 0}\n",
                "dns.attempts: expected 1..100");
    }

    @Test
    void eachPeerMayHaveATokenOfItsOwnAndTheApiTlsFiles() throws Exception {
        Files.writeString(dir.resolve("hostB.token"), "pair-ab-0123456789abcdef\n");
        Files.writeString(dir.resolve("agent.pem"), "");
        Files.writeString(dir.resolve("agent.key"), "");
        AgentConfig config = AgentConfig.load(write(BASE + """
                peers:
                  hostB: {url: "https://198.19.0.2:7070", token-file: hostB.token}
                  hostC: http://198.19.0.3:7070
                open-health: false
                """));
        assertThat(config.peers()).containsEntry("hostB", URI.create("https://198.19.0.2:7070"))
                .containsEntry("hostC", URI.create("http://198.19.0.3:7070"));
        assertThat(config.access().peerTokens()).containsExactly(java.util.Map.entry("hostB", "pair-ab-0123456789abcdef"));
        assertThat(config.access().tokenFor("hostC", config.token())).as("the older form shares the host's token")
                .isEqualTo("0123456789abcdef");
        assertThat(config.access().openHealth()).isFalse();
        assertThat(config.access().tls()).isNull();

        assertBad(BASE + "peers:\n  hostB: {url: 'http://b:1', token: short}\n", "peers.hostB.token: expected a token of at least 16");
        assertBad(BASE + "peers:\n  hostB: {url: 'http://b:1', token: 0123456789abcdef}\n",
                "peers.hostB.token: must differ from this host's own token");
        assertBad(BASE + "peers:\n  hostB: {url: 'http://b:1', token: pair-0123456789abcdef}\n"
                + "  hostC: {url: 'http://c:1', token: pair-0123456789abcdef}\n", "the same as hostB's");
        assertBad(BASE + "peers:\n  hostB: {url: 'http://b:1', secret: x}\n", "peers.hostB.secret: unknown key");
        assertBad(BASE + "tls: {cert: agent.pem}\n", "tls.key: missing");
        assertBad(BASE + "tls: {cert: agent.pem, key: agent.key}\n", "tls: cannot use the TLS files");
        assertBad(BASE + "tls: {cert: agent.pem, key: agent.key, client-certificates: required}\n",
                "tls.ca: client-certificates: required needs the CA");
        assertBad(BASE + "tls: {cert: agent.pem, key: agent.key, client-certificates: maybe}\n",
                "tls.client-certificates: expected requested or required");
    }

    static final String BASE = "host: hostA\ntoken: 0123456789abcdef\nmemory-mib: 1024\n";
    static final String KEY = """
            key "cutover-lab" {
                algorithm hmac-sha256;
                secret "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==";
            };
            """;

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
