package io.cutover.sdn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsRequest;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U32;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal OpenFlow 1.3 switch over a real TCP connection, for tests: it answers the handshake with its datapath id,
 * its bridge name (LOCAL port) and ports, answers barriers (or holds them back: {@link #holdBarriers}), echoes and
 * flow statistics (no flows), and records the flow-mods it receives. Bundles are not spoken: run the controller with {@code bundles(false)}.
 */
public final class TestSwitch implements AutoCloseable {
    private static final OFFactory OF = OFFactories.getFactory(OFVersion.OF_13);

    private final Socket socket;
    private final OutputStream out;
    private final long dpid;
    private final String bridge;
    private final Map<String, Integer> ports;
    private final List<OFFlowMod> flowMods = new CopyOnWriteArrayList<>();
    /** The barriers left unanswered while held, in their order; null when barriers are answered at once. */
    private List<Long> heldBarriers;
    private final Thread reader;

    private TestSwitch(Socket socket, long dpid, String bridge, Map<String, Integer> ports) throws IOException {
        this.dpid = dpid;
        this.bridge = bridge;
        this.ports = Map.copyOf(ports);
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.reader = new Thread(this::readLoop, "test-switch-" + bridge + "-" + Long.toHexString(dpid));
        this.reader.setDaemon(true);
        send(OF.buildHello().setXid(1).setElements(List.of(
                OF.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(1 << 4))).build())).build());
        reader.start();
    }

    /** A switch with datapath id {@code dpid} and bridge name {@code bridge}, connecting to {@code controller}. */
    public static TestSwitch connect(InetSocketAddress controller, long dpid, String bridge, Map<String, Integer> ports)
            throws IOException {
        return new TestSwitch(new Socket(controller.getAddress(), controller.getPort()), dpid, bridge, ports);
    }

    /** A switch speaking over {@code socket}, already connected to the controller (a TLS socket, say). */
    public static TestSwitch over(Socket socket, long dpid, String bridge, Map<String, Integer> ports)
            throws IOException {
        return new TestSwitch(socket, dpid, bridge, ports);
    }

    /** The flow-mods received so far. */
    public List<OFFlowMod> flowMods() {
        return List.copyOf(flowMods);
    }

    /** Leaves the barriers received from now on unanswered (their flow-mods unconfirmed) until released. */
    public synchronized void holdBarriers() {
        if (heldBarriers == null) {
            heldBarriers = new ArrayList<>();
        }
    }

    /** Answers the barriers held back, in their order, and the next ones at once again. */
    public synchronized void releaseBarriers() throws IOException {
        List<Long> held = heldBarriers;
        heldBarriers = null;
        for (long xid : held == null ? List.<Long>of() : held) {
            send(OF.buildBarrierReply().setXid(xid).build());
        }
    }

    /** How many barriers are held back unanswered. */
    public synchronized int heldBarriers() {
        return heldBarriers == null ? 0 : heldBarriers.size();
    }

    public boolean closedByPeer() {
        return !reader.isAlive();
    }

    private void readLoop() {
        try (DataInputStream in = new DataInputStream(socket.getInputStream())) {
            while (true) {
                byte[] header = new byte[8];
                in.readFully(header);
                int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
                byte[] frame = new byte[length];
                System.arraycopy(header, 0, frame, 0, 8);
                in.readFully(frame, 8, length - 8);
                OFMessage message = OFFactories.getGenericReader().readFrom(Unpooled.wrappedBuffer(frame));
                answer(message);
            }
        } catch (Exception closed) {
            // the controller closed the connection, or the test did
        }
    }

    private void answer(OFMessage message) throws IOException {
        long xid = message.getXid();
        if (message instanceof OFHello) {
            return;
        }
        if (message instanceof OFFeaturesRequest) {
            send(OF.buildFeaturesReply().setXid(xid).setDatapathId(DatapathId.of(dpid)).setNTables((short) 254).build());
        } else if (message instanceof OFPortDescStatsRequest) {
            List<OFPortDesc> descs = new ArrayList<>();
            descs.add(port(OFPort.LOCAL, bridge));
            ports.forEach((name, number) -> descs.add(port(OFPort.of(number), name)));
            send(OF.buildPortDescStatsReply().setXid(xid).setEntries(descs).build());
        } else if (message instanceof OFFlowStatsRequest) {
            send(OF.buildFlowStatsReply().setXid(xid).setEntries(List.of()).build());
        } else if (message instanceof OFBarrierRequest) {
            answerBarrier(xid);
        } else if (message instanceof OFEchoRequest echo) {
            send(OF.buildEchoReply().setXid(xid).setData(echo.getData()).build());
        } else if (message instanceof OFFlowMod mod) {
            flowMods.add(mod);
        }
    }

    private synchronized void answerBarrier(long xid) throws IOException {
        if (heldBarriers != null) {
            heldBarriers.add(xid);
        } else {
            send(OF.buildBarrierReply().setXid(xid).build());
        }
    }

    private static OFPortDesc port(OFPort number, String name) {
        return OF.buildPortDesc().setPortNo(number).setName(name).setHwAddr(MacAddress.of(2L)).build();
    }

    private synchronized void send(OFMessage message) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        message.writeTo(buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
