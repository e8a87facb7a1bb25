package io.cutover.it.tunnel;

import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.Forwarder;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveStatus;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelKey;
import io.cutover.tunnel.TunnelMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forwarder on the WAN lab in L3 mode: the VM moves from site A to site B, gets a new address there and keeps
 * its old one for the brownout; the client's TCP connection to the old address, opened before the move, keeps
 * working after it. hostA answers ARP for the old address on site A's LAN (proxy ARP), so site A's router keeps
 * delivering to it; the replies go back by triangle routing (site B's router), or through the reverse tunnel to be
 * emitted at site A, where site B's router filters sources that are not its own (ingress filtering).
 */
class TunnelWanIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.WAN);
    private static final int ECHO_PORT = 7000;
    private static final String NEW_ADDRESS = "198.18.2.100";

    private static Forwarder atA;
    private static Forwarder atB;
    private static ServerSocket echoServer;

    @BeforeAll
    static void start() throws Exception {
        Lab lab = LAB.lab();
        LabTunnel.quietVm(lab);
        atA = LabTunnel.forwarder(lab, "hostA");
        atB = LabTunnel.forwarder(lab, "hostB");
        try (Netns vm = lab.netns("vm1")) {
            echoServer = vm.call(() -> new ServerSocket(ECHO_PORT));
        }
        Thread accept = new Thread(TunnelWanIT::serveEcho, "vm-echo");
        accept.setDaemon(true);
        accept.start();
    }

    /** The VM's service: echoes every line, one thread per connection. */
    private static void serveEcho() {
        while (!echoServer.isClosed()) {
            try {
                Socket s = echoServer.accept();
                Thread t = new Thread(() -> {
                    try (s; BufferedReader in = reader(s); PrintWriter out = writer(s)) {
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            out.println(line);
                        }
                    } catch (IOException e) {
                        // the client went away
                    }
                }, "vm-echo-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (echoServer != null) {
            echoServer.close();
        }
        if (atA != null) {
            atA.close();
        }
        if (atB != null) {
            atB.close();
        }
    }

    @AfterEach
    void vmBackAtSiteA() {
        Lab lab = LAB.lab();
        String redirect = "priority=100,ip,dl_src=" + Topology.VM_MAC + ",nw_src=" + oldAddress();
        lab.ofctl("--strict", "del-flows", "br-b", redirect);
        lab.exec("rtrB", "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
        lab.exec("rtrB", "sysctl", "-qw", "net.ipv4.conf.eth0.rp_filter=0");
        lab.movePort("vm1", "br-a");
        lab.exec("vm1", "sysctl", "-qw", "net.ipv4.conf.eth0.arp_announce=0");
        lab.exec("vm1", "ip", "addr", "del", NEW_ADDRESS + "/24", "dev", "eth0");
        lab.exec("vm1", "ip", "addr", "del", oldAddress() + "/32", "dev", "eth0");
        lab.exec("vm1", "ip", "addr", "replace", oldAddress() + "/24", "dev", "eth0");
        lab.exec("vm1", "ip", "route", "replace", "default", "via", "198.18.1.1");
        lab.exec("rtrA", "ip", "neigh", "flush", "dev", "eth0");
        lab.exec("rtrB", "ip", "neigh", "flush", "dev", "eth0");
        for (String id : List.of("triangle", "reverse")) {
            atA.remove(id);
            atB.remove(id);
        }
    }

    @Test
    void establishedTcpConnectionToTheOldAddressKeepsWorkingWithTriangleRouting() throws Exception {
        moveKeepingTheConnection("triangle", 301, false);
    }

    @Test
    void establishedTcpConnectionToTheOldAddressKeepsWorkingThroughTheReverseTunnelDespiteIngressFiltering() throws Exception {
        moveKeepingTheConnection("reverse", 302, true);
    }

    private void moveKeepingTheConnection(String id, int vni, boolean reverse) throws Exception {
        Lab lab = LAB.lab();
        MoveSpec source = MoveSpec.builder(id, vni)
                .role(Role.SOURCE)
                .mode(TunnelMode.L3)
                .reverse(reverse)
                .vmMac(Topology.VM_MAC)
                .vmAddresses(List.of(InetAddress.getByName(oldAddress())))
                .peer(new InetSocketAddress(InetAddress.getByName(LabTunnel.UNDERLAY_B), 4789))
                .iface("eth0")
                .key(TunnelKey.of(new SecureRandom().generateSeed(32), null))
                .build();
        Socket client;
        try (Netns ns = lab.netns("client")) {
            client = ns.call(() -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(InetAddress.getByName(oldAddress()), ECHO_PORT), 10_000);
                s.setSoTimeout(20_000);
                return s;
            });
        }
        try (client; BufferedReader in = reader(client); PrintWriter out = writer(client)) {
            int localPort = client.getLocalPort();
            assertThat(echo(out, in, "before the move")).isEqualTo("before the move");

            atB.add(LabTunnel.destinationSpec(source));
            atA.add(source);
            event(id, CutoverStage.SWITCHOVER);
            moveVmToSiteB(lab, reverse);
            event(id, CutoverStage.ACTIVATED);
            // site A's router forgets the VM's MAC and asks again: only the proxy at hostA can answer now
            lab.exec("rtrA", "ip", "neigh", "flush", "dev", "eth0").orThrow();

            for (int i = 0; i < 20; i++) {
                String line = "after the move " + i;
                String echoed;
                try {
                    echoed = echo(out, in, line);
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("no echo " + i + " in 20 s; source " + atA.stats() + "; destination " + atB.stats()
                            + "; rtrA neighbours " + lab.exec("rtrA", "ip", "neigh").stdout(), e);
                }
                assertThat(echoed).isEqualTo(line);
            }
            assertThat(client.getLocalPort()).as("the same connection").isEqualTo(localPort);

            String hostAMac = lab.exec("hostA", "cat", "/sys/class/net/eth0/address").orThrow().stdout().strip();
            assertThat(lab.exec("rtrA", "ip", "neigh", "show", oldAddress(), "dev", "eth0").orThrow().stdout())
                    .as("site A's router delivers the old address to hostA (proxy ARP)").contains(hostAMac);
            MoveStatus atSource = atA.status(id).orElseThrow();
            MoveStatus atDestination = atB.status(id).orElseThrow();
            assertThat(atSource.counter("proxyAnswered")).isGreaterThanOrEqualTo(1);
            assertThat(atSource.counter("sent")).isGreaterThanOrEqualTo(20);
            assertThat(atDestination.counter("injected")).isGreaterThanOrEqualTo(20);
            if (reverse) {
                assertThat(atDestination.counter("sent")).as("the VM's replies tunnelled back").isGreaterThanOrEqualTo(20);
                assertThat(atSource.counter("injected")).as("and emitted at site A").isGreaterThanOrEqualTo(20);
            } else {
                assertThat(atDestination.counter("sent")).as("triangle: no reply through the tunnel").isZero();
            }
        }
    }

    /**
     * The VM's cable to site B; its new address there, its old one kept as a /32 for the brownout, its default route
     * via site B's router. With a reverse tunnel, site B's router filters sources that are not its own (strict reverse
     * path filter), and br-b sends the VM's packets from the old address to hostB, as an SDN controller would.
     */
    private static void moveVmToSiteB(Lab lab, boolean reverse) {
        if (reverse) {
            lab.exec("rtrB", "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1").orThrow();
            lab.exec("rtrB", "sysctl", "-qw", "net.ipv4.conf.eth0.rp_filter=1").orThrow();
            String toHostB = lab.vsctl("get", "Interface", "hostB", "ofport").orThrow().stdout().strip();
            lab.ofctl("add-flow", "br-b", "priority=100,ip,dl_src=" + Topology.VM_MAC + ",nw_src=" + oldAddress()
                    + ",actions=output:" + toHostB).orThrow();
        }
        lab.movePort("vm1", "br-b");
        // ask for site B's router from the new address: a filtering router refuses ARP from a foreign source
        lab.exec("vm1", "sysctl", "-qw", "net.ipv4.conf.eth0.arp_announce=2").orThrow();
        lab.exec("vm1", "ip", "addr", "add", NEW_ADDRESS + "/24", "dev", "eth0").orThrow();
        lab.exec("vm1", "ip", "addr", "add", oldAddress() + "/32", "dev", "eth0").orThrow();
        lab.exec("vm1", "ip", "addr", "del", oldAddress() + "/24", "dev", "eth0").orThrow();
        lab.exec("vm1", "ip", "route", "replace", "default", "via", "198.18.2.1", "src", NEW_ADDRESS).orThrow();
    }

    private static String echo(PrintWriter out, BufferedReader in, String line) throws IOException {
        out.println(line);
        return in.readLine();
    }

    private static void event(String id, CutoverStage stage) {
        atA.onEvent(CutoverEvent.now(id, stage)).toCompletableFuture().join();
        atB.onEvent(CutoverEvent.now(id, stage)).toCompletableFuture().join();
    }

    private static String oldAddress() {
        return LAB.lab().port("vm1").ipv4Address();
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    }

    private static PrintWriter writer(Socket s) throws IOException {
        return new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
    }
}
