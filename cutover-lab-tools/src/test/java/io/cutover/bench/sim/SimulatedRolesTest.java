package io.cutover.bench.sim;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadRequestErrorMsg;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.protocol.OFRoleRequestFailedCode;
import org.projectfloodlight.openflow.protocol.errormsg.OFRoleRequestFailedErrorMsg;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import static io.cutover.bench.sim.FlowTable.OF;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * One simulated switch connected to two raw OpenFlow peers standing in for two controllers of a cluster: the roles,
 * the generation ids and the slave's refusals as Open vSwitch has them, and one flow table for both connections.
 */
class SimulatedRolesTest {
    private static final long DPID = 0x42;

    ServerSocket serverA;
    ServerSocket serverB;
    SwitchSimulator sim;
    Peer a;
    Peer b;

    @BeforeEach
    void connect() throws IOException {
        serverA = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        serverB = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        serverA.setSoTimeout(10_000);
        serverB.setSoTimeout(10_000);
        sim = SwitchSimulator.connect(List.of(address(serverA), address(serverB)),
                List.of(new SwitchSpec(DPID, "sw", List.of("p1"))), 1);
        a = new Peer(serverA.accept());
        b = new Peer(serverB.accept());
        assertThat(a.read()).isInstanceOf(OFHello.class);
        assertThat(b.read()).isInstanceOf(OFHello.class);
    }

    @AfterEach
    void close() throws IOException {
        sim.close();
        a.socket.close();
        b.socket.close();
        serverA.close();
        serverB.close();
    }

    @Test
    void bothConnectionsAreEqualUntilARoleRequest() throws IOException {
        a.send(OF.buildBarrierRequest().setXid(1).build());
        assertThat(a.read().getXid()).isEqualTo(1);
        assertThat(sim.get(DPID).roles()).hasSize(2).containsValues(OFControllerRole.ROLE_EQUAL)
                .doesNotContainValue(OFControllerRole.ROLE_MASTER);
        assertThat(sim.get(DPID).hasMaster()).isFalse();
        // an EQUAL connection may write the table
        a.send(flowAdd(2, 10));
        a.send(OF.buildBarrierRequest().setXid(3).build());
        assertThat(a.read().getXid()).isEqualTo(3);
        assertThat(sim.get(DPID).flowCount()).isEqualTo(1);
    }

    @Test
    void aNewMasterDemotesTheOldOneWhichMayNoLongerWrite() throws IOException {
        assertThat(role(a, OFControllerRole.ROLE_MASTER, 1)).isEqualTo(OFControllerRole.ROLE_MASTER);
        assertThat(sim.get(DPID).hasMaster()).isTrue();
        assertThat(role(b, OFControllerRole.ROLE_MASTER, 2)).isEqualTo(OFControllerRole.ROLE_MASTER);
        assertThat(sim.get(DPID).roles()).containsExactly(entry(a.port(), OFControllerRole.ROLE_SLAVE),
                entry(b.port(), OFControllerRole.ROLE_MASTER));

        b.send(flowAdd(10, 100));
        a.send(flowAdd(11, 200));
        OFMessage refusal = a.read();
        assertThat(refusal).isInstanceOf(OFBadRequestErrorMsg.class);
        assertThat(((OFBadRequestErrorMsg) refusal).getCode()).isEqualTo(OFBadRequestCode.IS_SLAVE);
        assertThat(refusal.getXid()).isEqualTo(11);

        // one table: the slave reads the master's flow, and only it
        a.send(OF.buildFlowStatsRequest().setXid(12).setTableId(TableId.ALL).setOutPort(OFPort.ANY)
                .setOutGroup(org.projectfloodlight.openflow.types.OFGroup.ANY).build());
        OFMessage stats = a.read();
        assertThat(stats).isInstanceOf(OFFlowStatsReply.class);
        assertThat(((OFFlowStatsReply) stats).getEntries()).singleElement()
                .matches(entry -> entry.getPriority() == 100);
    }

    @Test
    void aStaleGenerationIsRefusedAndChangesNothing() throws IOException {
        assertThat(role(b, OFControllerRole.ROLE_MASTER, 5)).isEqualTo(OFControllerRole.ROLE_MASTER);
        a.send(OF.buildRoleRequest().setXid(20).setRole(OFControllerRole.ROLE_MASTER).setGenerationId(U64.of(4)).build());
        OFMessage refusal = a.read();
        assertThat(refusal).isInstanceOf(OFRoleRequestFailedErrorMsg.class);
        assertThat(((OFRoleRequestFailedErrorMsg) refusal).getCode()).isEqualTo(OFRoleRequestFailedCode.STALE);
        assertThat(sim.get(DPID).roles()).containsExactly(entry(a.port(), OFControllerRole.ROLE_EQUAL),
                entry(b.port(), OFControllerRole.ROLE_MASTER));
        // the same generation again is not stale: a master re-asserting itself
        assertThat(role(a, OFControllerRole.ROLE_SLAVE, 5)).isEqualTo(OFControllerRole.ROLE_SLAVE);
    }

    @Test
    void whenTheMasterIsGoneTheSwitchHasNoMasterUntilAnotherAsks() throws IOException {
        role(a, OFControllerRole.ROLE_MASTER, 1);
        role(b, OFControllerRole.ROLE_SLAVE, 1);
        a.socket.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (sim.get(DPID).roles().size() > 1 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(sim.get(DPID).hasMaster()).isFalse();
        role(b, OFControllerRole.ROLE_MASTER, 2);
        assertThat(sim.get(DPID).hasMaster()).isTrue();
    }

    private static OFControllerRole role(Peer peer, OFControllerRole role, long generation) throws IOException {
        peer.send(OF.buildRoleRequest().setXid(99).setRole(role).setGenerationId(U64.of(generation)).build());
        OFMessage reply = peer.read();
        assertThat(reply).isInstanceOf(OFRoleReply.class);
        assertThat(((OFRoleReply) reply).getGenerationId()).isEqualTo(U64.of(generation));
        return ((OFRoleReply) reply).getRole();
    }

    private static OFMessage flowAdd(long xid, int priority) {
        return OF.buildFlowAdd().setXid(xid).setPriority(priority).setCookie(U64.of(priority)).build();
    }

    private static InetSocketAddress address(ServerSocket server) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** A blocking OpenFlow peer: whole frames out, whole frames in, parsed by Loxi. */
    private static final class Peer {
        final Socket socket;
        final DataInputStream in;

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(10_000);
            this.in = new DataInputStream(socket.getInputStream());
        }

        /** This controller's port, by which the simulator names its connection. */
        int port() {
            return socket.getLocalPort();
        }

        void send(OFMessage message) throws IOException {
            var buf = Unpooled.buffer();
            message.writeTo(buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }

        OFMessage read() throws IOException {
            byte[] head = new byte[8];
            in.readFully(head);
            int length = ((head[2] & 0xff) << 8) | (head[3] & 0xff);
            byte[] frame = new byte[length];
            System.arraycopy(head, 0, frame, 0, 8);
            in.readFully(frame, 8, length - 8);
            try {
                return OF.getReader().readFrom(Unpooled.wrappedBuffer(frame));
            } catch (org.projectfloodlight.openflow.exceptions.OFParseError e) {
                throw new IOException("cannot parse a frame: " + e, e);
            }
        }
    }
}
