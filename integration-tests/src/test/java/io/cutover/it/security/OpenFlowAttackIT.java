package io.cutover.it.security;

import io.cutover.it.LabExtension;
import io.cutover.lab.CommandResult;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.support.Netns;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsRequest;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U32;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static io.cutover.it.security.HostilePeer.request;
import static io.cutover.it.security.HostilePeer.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cutover sdn serve --lab} with the lab's real Open vSwitch bridges connected, its OpenFlow port attacked from
 * the fabric by a peer that is no switch (a scan, garbage, garbage after a HELLO, a header shorter than a header,
 * headers claiming 64 KiB trickled a byte per segment) and by one that claims a connected switch's datapath id and
 * reports a port of its own. The switches, their ports, the endpoints and the moves are what they were, the lab still
 * pings through the controller's flows, the impostor got no flow and was refused on one log line, and the controller's
 * memory and open files come back.
 */
class OpenFlowAttackIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);
    private static final OFFactory OF = OFFactories.getFactory(OFVersion.OF_13);
    private static final String TOKEN = "openflow-attack-it-0123456789";
    private static final Pattern READY = Pattern.compile("rest http://127\\.0\\.0\\.1:(\\d+)/v1");

    @TempDir
    Path dir;

    @Test
    void strangersAndAnImpostorChangeNoSwitch() throws Exception {
        Lab lab = LAB.lab();
        int port;
        try (Netns fabric = lab.netns(Topology.FABRIC)) {
            port = fabric.call(() -> {
                try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
                    return probe.getLocalPort();
                }
            });
        }
        Path token = Files.writeString(dir.resolve("sdn.token"), TOKEN + "\n");
        try (Daemon sdn = Daemon.start(dir.resolve("sdn.log"), null, "sdn", "serve", "--lab", lab.name(), "--listen",
                "127.0.0.1:" + port, "--rest", "127.0.0.1:0", "--token-file", token.toString(), "--state",
                dir.resolve("state").toString())) {
            InetSocketAddress rest = new InetSocketAddress("127.0.0.1", Integer.parseInt(sdn.awaitLine(READY)));
            InetSocketAddress openflow = new InetSocketAddress(Topology.CONTROLLER_ADDRESS, port);
            ping(lab);
            String switches = get(rest, "/v1/switches");
            String ports = get(rest, "/v1/switches/" + Topology.DPID_A + "/ports");
            String endpoints = get(rest, "/v1/endpoints");
            String moves = get(rest, "/v1/moves");
            assertThat(switches).contains(Topology.DPID_A);
            HostilePeer.Footprint before = sdn.footprint();

            Claim claim;
            try (Netns fabric = lab.netns(Topology.FABRIC)) {
                claim = fabric.call(() -> {
                    assertThat(HostilePeer.scan(openflow, 100)).isEqualTo(100);
                    HostilePeer.exchange(openflow, HostilePeer.garbage(11, 4096));
                    HostilePeer.exchange(openflow, concat(hello(), HostilePeer.garbage(12, 4096)));
                    HostilePeer.exchange(openflow, concat(hello(), new byte[] {4, 0, 0, 4, 0, 0, 0, 9}));
                    byte[] claimsAll = new byte[65_535];
                    claimsAll[0] = 4;
                    claimsAll[1] = 10;
                    claimsAll[2] = (byte) 0xff;
                    claimsAll[3] = (byte) 0xff;
                    assertThat(HostilePeer.trickle(openflow, 20, claimsAll, Duration.ofMillis(10), Duration.ofSeconds(3)))
                            .as("within the handshake timeout").isZero();
                    return claim(openflow, Long.parseLong(Topology.DPID_A, 16), "br-a");
                });
            }
            assertThat(claim.closedByController()).as("the impostor was closed; %s", sdn.log()).isTrue();
            assertThat(claim.flowMods()).as("flow-mods sent to the impostor").isZero();

            assertThat(sdn.alive()).isTrue();
            ping(lab);
            assertThat(get(rest, "/v1/switches")).as("the switches").isEqualTo(switches);
            assertThat(get(rest, "/v1/switches/" + Topology.DPID_A + "/ports")).as("br-a's ports").isEqualTo(ports);
            assertThat(get(rest, "/v1/endpoints")).as("the endpoints").isEqualTo(endpoints);
            assertThat(get(rest, "/v1/moves")).as("the moves").isEqualTo(moves);
            assertThat(get(rest, "/metrics")).contains("cutover_sdn_refused_sessions_total{daemon=\"sdn\"} 1.0");
            HostilePeer.Footprint after = before.awaitWithin(sdn.pid(), 64, 8, Duration.ofSeconds(10));
            assertThat(before.within(after, 64, 8)).as("before %s, after %s", before, after).isTrue();
            assertThat(sdn.logLines("refusing a second session for switch", Topology.DPID_A)).as(sdn.log()).isEqualTo(1);
            assertThat(sdn.logLines("switch " + Topology.DPID_A + " (br-a) connected")).as("br-a, once: %s", sdn.log())
                    .isEqualTo(1);
            assertThat(sdn.logLines("switch " + Topology.DPID_A + " (br-a) disconnected")).as("never").isZero();
            assertThat(sdn.logLines("malformed frame")).as(sdn.log()).isEqualTo(3);
            assertThat(sdn.log()).doesNotContain("Exception").doesNotContain("ERROR");
            System.out.printf("OpenFlow under attack: before %s, after %s%n", before, after);
        }
    }

    /** What a session claiming a datapath id got: closed by the controller, and how many flow-mods first. */
    record Claim(boolean closedByController, int flowMods) {
    }

    /**
     * Connects as a switch with datapath id {@code dpid} and bridge {@code bridge}, answers the handshake and reports a
     * port {@code vm1} of its own as soon as it can; returns once the controller closes it, or after 8 s.
     */
    private static Claim claim(InetSocketAddress controller, long dpid, String bridge) throws IOException {
        int flowMods = 0;
        try (Socket socket = new Socket()) {
            socket.connect(controller, 2000);
            socket.setSoTimeout(8000);
            OutputStream out = socket.getOutputStream();
            out.write(hello());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                byte[] frame = new byte[8];
                in.readFully(frame);
                int length = ((frame[2] & 0xff) << 8) | (frame[3] & 0xff);
                frame = java.util.Arrays.copyOf(frame, length);
                in.readFully(frame, 8, length - 8);
                OFMessage message = OFFactories.getGenericReader().readFrom(Unpooled.wrappedBuffer(frame));
                long xid = message.getXid();
                if (message instanceof OFFeaturesRequest) {
                    send(out, OF.buildFeaturesReply().setXid(xid).setDatapathId(DatapathId.of(dpid))
                            .setNTables((short) 254).build());
                } else if (message instanceof OFPortDescStatsRequest) {
                    OFPortDesc local = port(OFPort.LOCAL, bridge);
                    OFPortDesc vm = port(OFPort.of(77), "vm1");
                    send(out, OF.buildPortDescStatsReply().setXid(xid).setEntries(List.of(local, vm)).build());
                    send(out, OF.buildPortStatus().setReason(OFPortReason.ADD).setDesc(port(OFPort.of(78), "vm9")).build());
                } else if (message instanceof OFFlowStatsRequest) {
                    send(out, OF.buildFlowStatsReply().setXid(xid).setEntries(List.of()).build());
                } else if (message instanceof OFBarrierRequest) {
                    send(out, OF.buildBarrierReply().setXid(xid).build());
                } else if (message instanceof OFEchoRequest echo) {
                    send(out, OF.buildEchoReply().setXid(xid).setData(echo.getData()).build());
                } else if (message instanceof OFFlowMod) {
                    flowMods++;
                }
            }
        } catch (EOFException | java.net.SocketException closed) {
            return new Claim(true, flowMods);
        } catch (SocketTimeoutException stillOpen) {
            return new Claim(false, flowMods);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private static OFPortDesc port(OFPort number, String name) {
        return OF.buildPortDesc().setPortNo(number).setName(name).setHwAddr(MacAddress.of(0x020000000077L)).build();
    }

    private static byte[] hello() {
        return bytes(OF.buildHello().setXid(1).setElements(List.of(
                OF.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(1 << 4))).build())).build());
    }

    private static void send(OutputStream out, OFMessage message) throws IOException {
        out.write(bytes(message));
        out.flush();
    }

    private static byte[] bytes(OFMessage message) {
        ByteBuf buf = Unpooled.buffer();
        message.writeTo(buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static void ping(Lab lab) {
        CommandResult result = lab.exec("client", "ping", "-c", "3", "-i", "0.2", "-W", "2", lab.port("vm1").ipv4Address());
        assertThat(result.stdout()).as(result.stdout()).contains(" 0% packet loss");
    }

    private static String get(InetSocketAddress rest, String path) throws Exception {
        return HostilePeer.authorizedGet(rest, path, TOKEN);
    }
}
