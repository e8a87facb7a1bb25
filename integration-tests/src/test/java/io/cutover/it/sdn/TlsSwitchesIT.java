package io.cutover.it.sdn;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cutover.demo.SdnLabFabric;
import io.cutover.it.LabExtension;
import io.cutover.lab.HostSwitch;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.sdn.ControllerTls;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.SdnController;
import io.cutover.sdn.SwitchIdentities;
import io.cutover.sdn.SwitchInfo;
import io.cutover.sdn.impl.TlsGate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mutual TLS between the controller and real Open vSwitch, with certificates made by Open vSwitch's own
 * {@code ovs-pki}: host A's switch, certified by the lab's switch CA, connects over {@code ssl:} and gets its flows;
 * host B's switch, certified by another PKI's switch CA, and then speaking plain TCP to the TLS port, is refused
 * before its OpenFlow handshake, each attempt counted and logged once, while host A's switch keeps working. Each
 * datapath id is bound to its host's certificate name: host B's switch presenting host A's certificate is refused
 * after its OpenFlow handshake, and let in with its own.
 */
class TlsSwitchesIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path pki;

    static SdnController sdn;
    static HostSwitch hostA;
    static HostSwitch hostB;
    static Endpoint forwarderA;
    static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();

    /** Runs {@code ovs-pki} in {@link #pki} with the CA in {@code ca} (batch mode: no questions). */
    private static void ovsPki(String ca, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ovs-pki", "--batch", "--dir=" + pki.resolve(ca),
                "--log=" + pki.resolve("ovs-pki.log")));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(pki.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
    }

    @BeforeAll
    static void start() throws Exception {
        ovsPki("lab-ca", "init");
        ovsPki("lab-ca", "req+sign", "controller", "controller");
        ovsPki("lab-ca", "req+sign", "hostA", "switch");
        ovsPki("lab-ca", "req+sign", "hostB", "switch");
        ovsPki("other-ca", "init");
        ovsPki("other-ca", "req+sign", "rogueB", "switch");

        LOG.start();
        ((Logger) LoggerFactory.getLogger(TlsGate.class)).addAppender(LOG);
        Lab lab = LAB.lab();
        sdn = SdnController.start(SdnLabFabric.options(lab).port(0)
                .sslContext(ControllerTls.server(pki.resolve("controller-cert.pem"),
                        pki.resolve("controller-privkey.pem"), pki.resolve("lab-ca/switchca/cacert.pem")))
                .switchIdentities(SwitchIdentities.of(Map.of(Dpid.parse(Topology.DPID_HOST_A), "hostA",
                        Dpid.parse(Topology.DPID_HOST_B), "hostB")))
                .build());
        hostA = lab.hostSwitch("hostA");
        hostB = lab.hostSwitch("hostB");
        setSsl(hostA, "hostA");
        SdnLabFabric.attachHostSwitch(hostA, target("ssl"));
        join(sdn.awaitSwitches(List.of(Dpid.parse(hostA.datapathId())), WAIT));
        forwarderA = SdnLabFabric.forwarderEndpoints(lab, 1).stream()
                .filter(e -> e.switchId().equals(Dpid.parse(hostA.datapathId()))).findFirst().orElseThrow();
    }

    @AfterAll
    static void stop() {
        try {
            if (hostA != null) {
                SdnLabFabric.detachAll(LAB.lab());
                hostA.vsctl("del-ssl");
                hostB.vsctl("del-ssl");
            }
        } finally {
            ((Logger) LoggerFactory.getLogger(TlsGate.class)).detachAppender(LOG);
            if (sdn != null) {
                sdn.close();
            }
        }
    }

    private static String target(String scheme) {
        return scheme + ":" + Topology.CONTROLLER_ADDRESS + ":" + sdn.address().getPort();
    }

    @Test
    void aSwitchCertifiedByTheLabCaConnectsOverTlsAndGetsItsFlows() throws Exception {
        assertThat(sdn.switches()).filteredOn(s -> s.dpid().equals(Dpid.parse(hostA.datapathId())))
                .singleElement().matches(SwitchInfo::connected);
        // ovs-vswitchd writes a controller's status to its database some seconds after the connection
        assertThat(eventually(() -> hostA.vsctl("get", "controller", hostA.bridge(), "is_connected").orThrow()
                .stdout().trim().equals("true"))).as("OVS says host A's controller is connected").isTrue();
        assertThat(LOG.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(line -> line.contains("passed TLS as") && line.contains("CN=hostA id:"));
        join(sdn.putEndpoint(forwarderA));
        assertThat(eventually(() -> hasControllerFlows(hostA))).as("host A's flows: %s", flows(hostA)).isTrue();
    }

    @Test
    void aSwitchCertifiedByAnotherCaIsRefusedCountedAndLoggedOnceWhileTheRealSwitchKeepsWorking() throws Exception {
        setSsl(hostB, "rogueB");
        assertRefusedAndHostAServed("ssl", "TLS failed");
    }

    @Test
    void aSwitchWithAnotherHostsCertificateIsRefusedWithItsOwnItConnects() throws Exception {
        long refusedBefore = sdn.refusedIdentitySessions();
        long tlsRefusedBefore = sdn.refusedTlsSessions();
        Dpid dpidB = Dpid.parse(hostB.datapathId());
        try {
            setSsl(hostB, "hostA");
            SdnLabFabric.attachHostSwitch(hostB, target("ssl"));
            assertThat(eventually(() -> sdn.refusedIdentitySessions() >= refusedBefore + 2))
                    .as("host B's attempts with host A's certificate are refused").isTrue();
            assertThat(sdn.switches()).extracting(SwitchInfo::dpid).doesNotContain(dpidB);
            assertThat(sdn.refusedTlsSessions()).as("the lab CA signed host A's certificate").isEqualTo(tlsRefusedBefore);

            hostB.vsctl("del-controller", hostB.bridge()).orThrow();
            setSsl(hostB, "hostB");
            SdnLabFabric.attachHostSwitch(hostB, target("ssl"));
            join(sdn.awaitSwitches(List.of(dpidB), WAIT));
            assertThat(sdn.switches()).filteredOn(s -> s.dpid().equals(dpidB)).singleElement()
                    .matches(SwitchInfo::connected);
        } finally {
            hostB.vsctl("del-controller", hostB.bridge()).orThrow();
        }
        assertThat(sdn.switches()).filteredOn(s -> s.dpid().equals(Dpid.parse(hostA.datapathId())))
                .singleElement().matches(SwitchInfo::connected);
    }

    /** Gives {@code host}'s Open vSwitch the key and certificate {@code name}, and the lab's controller CA. */
    private static void setSsl(HostSwitch host, String name) {
        host.vsctl("set-ssl", pki.resolve(name + "-privkey.pem").toString(), pki.resolve(name + "-cert.pem").toString(),
                pki.resolve("lab-ca/controllerca/cacert.pem").toString()).orThrow();
    }

    @Test
    void aPlainTcpSwitchOnTheTlsPortIsRefusedCountedAndLoggedOnceWhileTheRealSwitchKeepsWorking() throws Exception {
        assertRefusedAndHostAServed("tcp", "not an SSL/TLS record");
    }

    /**
     * Points host B's switch at the controller over {@code scheme}, waits for two refused attempts (the switch retries
     * each second), and takes it away again: each attempt was counted and logged once (the first with {@code reason}), host B's
     * switch never became known, and host A's stayed connected and still takes changes.
     */
    private static void assertRefusedAndHostAServed(String scheme, String reason) throws Exception {
        long refusedBefore = sdn.refusedTlsSessions();
        int linesBefore = refusalLines().size();
        try {
            SdnLabFabric.attachHostSwitch(hostB, target(scheme));
            assertThat(eventually(() -> sdn.refusedTlsSessions() >= refusedBefore + 2))
                    .as("host B's attempts are refused").isTrue();
        } finally {
            hostB.vsctl("del-controller", hostB.bridge()).orThrow();
        }
        Thread.sleep(1500);
        List<String> lines = refusalLines().subList(linesBefore, refusalLines().size());
        assertThat(lines).as("one line per refused attempt").hasSize((int) (sdn.refusedTlsSessions() - refusedBefore))
                .allMatch(line -> line.startsWith("refusing switch connection"));
        assertThat(lines.get(0)).contains(reason).doesNotContain("Empty client certificate chain");
        assertThat(sdn.switches()).filteredOn(s -> s.dpid().equals(Dpid.parse(hostB.datapathId())))
                .noneMatch(SwitchInfo::connected);
        assertThat(sdn.refusedSessions()).as("no attempt got as far as claiming a datapath id").isZero();

        assertThat(sdn.switches()).filteredOn(s -> s.dpid().equals(Dpid.parse(hostA.datapathId())))
                .singleElement().matches(SwitchInfo::connected);
        join(sdn.putEndpoint(forwarderA));
        join(sdn.removeEndpoint(forwarderA.name()));
        assertThat(eventually(() -> !hasControllerFlows(hostA))).as("host A's flows: %s", flows(hostA)).isTrue();
        join(sdn.putEndpoint(forwarderA));
        assertThat(eventually(() -> hasControllerFlows(hostA))).as("host A's flows: %s", flows(hostA)).isTrue();
    }

    private static List<String> refusalLines() {
        return LOG.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private static String flows(HostSwitch host) {
        return host.ofctl("-O", "OpenFlow13", "dump-flows", host.bridge()).orThrow().stdout();
    }

    /** Whether the switch holds a flow with the controller's cookie prefix. */
    /** Whether the controller's flows for what is plugged in are on the switch (its flow for probe answers always is). */
    private static boolean hasControllerFlows(HostSwitch host) {
        return flows(host).lines().anyMatch(line -> line.contains("cookie=0xc7")
                && !line.contains("dl_dst=06:c7:00:00:00:01"));
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
