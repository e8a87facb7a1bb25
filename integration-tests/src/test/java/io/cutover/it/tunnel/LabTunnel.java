package io.cutover.it.tunnel;

import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import io.cutover.tunnel.Forwarder;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelKey;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/** The tunnel tests' shared setup on a LAN lab: forwarders in hostA/hostB, a probe receiver in the VM, a stale client. */
final class LabTunnel {
    static final String UNDERLAY_A = "198.19.0.1";
    static final String UNDERLAY_B = "198.19.0.2";
    static final int PROBE_PORT = 9999;
    /** Marks probes sent by the tests, so the receiver ignores anything else. */
    static final int MAGIC = 0x7e57c0de;

    private LabTunnel() {
    }

    /** A forwarder whose socket, event loop, capture and injection all live in {@code node}'s namespace. */
    static Forwarder forwarder(Lab lab, String node) {
        try (Netns ns = lab.netns(node)) {
            return ns.call(() -> Forwarder.start(ForwarderOptions.builder()
                    .threadFactory(Netns.threadFactory(lab.namespace(node)))
                    .build()));
        }
    }

    /** A source move sealed with {@code key}, or, with {@code null}, plain VXLAN asked for explicitly. */
    static MoveSpec sourceSpec(Lab lab, String id, int vni, TunnelKey key) throws Exception {
        return MoveSpec.builder(id, vni)
                .role(Role.SOURCE)
                .vmMac(Topology.VM_MAC)
                .vmAddresses(List.of(InetAddress.getByName(lab.port("vm1").ipv4Address())))
                .peer(new InetSocketAddress(InetAddress.getByName(UNDERLAY_B), ForwarderOptions.DEFAULT_PORT))
                .iface("eth0")
                .key(key)
                .insecurePlain(key == null)
                .build();
    }

    static MoveSpec destinationSpec(MoveSpec source) throws Exception {
        return source.otherEnd(new InetSocketAddress(InetAddress.getByName(UNDERLAY_A), ForwarderOptions.DEFAULT_PORT), "eth0");
    }

    /**
     * Stops the VM's IPv6 router solicitations (sent for some seconds after its link came up), which would
     * teach the switches its new place by themselves and hide what the tunnel does.
     */
    static void quietVm(Lab lab) {
        lab.exec("vm1", "sysctl", "-qw", "net.ipv6.conf.eth0.router_solicitations=0").orThrow();
        lab.exec("vm1", "sysctl", "-qw", "net.ipv6.conf.all.router_solicitations=0").orThrow();
    }

    /**
     * Puts the VM back on br-a, the switches knowing it there, br-b knowing nothing of it, and the client's
     * neighbour entry for it pinned (a client that will not re-ARP). Then pins, with an OpenFlow rule, br-tor's
     * path for the VM's MAC toward br-a: the stale location that, after the move, still sends the client's
     * frames to the old host (as a switch that has not yet heard of the move does). Left alone, this lab's Open
     * vSwitch forgets the VM's MAC when its port moves and floods, which would reach the VM without any tunnel.
     */
    static void resetVmOnSourceSide(Lab lab) {
        forgetStaleEntry(lab);
        lab.movePort("vm1", "br-a");
        for (String bridge : List.of("br-a", "br-b", "br-tor")) {
            lab.appctl("fdb/flush", bridge).orThrow();
        }
        lab.exec("vm1", "ping", "-c", "1", "-W", "2", lab.port("client").ipv4Address()).orThrow();
        lab.appctl("fdb/flush", "br-b").orThrow();
        lab.exec("client", "ip", "neigh", "replace", lab.port("vm1").ipv4Address(), "lladdr", Topology.VM_MAC,
                "dev", "eth0", "nud", "permanent").orThrow();
        String toA = lab.vsctl("get", "Interface", "tor-to-a", "ofport").orThrow().stdout().strip();
        lab.ofctl("add-flow", "br-tor", "priority=100,dl_dst=" + Topology.VM_MAC + ",actions=output:" + toA).orThrow();
    }

    /**
     * Sends what br-a gets for the VM to hostA, as an SDN controller's {@code redirectToForwarder} does at
     * switchover, then moves the VM's cable to br-b and makes br-b forget anything it may have learnt of the VM's MAC
     * from frames flooded across the fabric while the VM was on br-a. The redirect comes first: between the cable's
     * removal and the flow, br-a would drop what it still has learnt on the removed port (without the flow at all,
     * br-a may learn the VM's MAC from the VM's own broadcasts, now arriving from br-tor, and drop what comes from
     * there for it).
     */
    static void moveVm(Lab lab) {
        String toHostA = lab.vsctl("get", "Interface", "hostA", "ofport").orThrow().stdout().strip();
        lab.ofctl("add-flow", "br-a", "priority=100,dl_dst=" + Topology.VM_MAC + ",actions=output:" + toHostA).orThrow();
        lab.movePort("vm1", "br-b");
        lab.appctl("fdb/flush", "br-b").orThrow();
    }

    /** Removes the rules of {@link #resetVmOnSourceSide} and {@link #moveVm}. */
    static void forgetStaleEntry(Lab lab) {
        lab.ofctl("--strict", "del-flows", "br-tor", "priority=100,dl_dst=" + Topology.VM_MAC).orThrow();
        lab.ofctl("--strict", "del-flows", "br-a", "priority=100,dl_dst=" + Topology.VM_MAC).orThrow();
    }

    /**
     * Catches the tunnel's packets (UDP to port 4789) on an interface of a lab node with Pcap4J, keeping the first and
     * the latest whole frame.
     */
    static final class TunnelSniffer implements AutoCloseable {
        private final java.util.concurrent.CompletableFuture<byte[]> first = new java.util.concurrent.CompletableFuture<>();
        private final java.util.concurrent.atomic.AtomicReference<byte[]> latest = new java.util.concurrent.atomic.AtomicReference<>();
        private final java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
        private volatile boolean running = true;
        private final Thread thread;

        TunnelSniffer(Lab lab, String node, String iface) throws InterruptedException {
            thread = Netns.threadFactory(lab.namespace(node)).newThread(() -> run(iface));
            thread.start();
            if (!open.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("cannot catch on " + node + " " + iface);
            }
        }

        private void run(String iface) {
            try (org.pcap4j.core.PcapHandle handle = new org.pcap4j.core.PcapHandle.Builder(iface).snaplen(65536)
                    .promiscuousMode(org.pcap4j.core.PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS).timeoutMillis(50)
                    .immediateMode(true).build()) {
                handle.setFilter("udp dst port 4789", org.pcap4j.core.BpfProgram.BpfCompileMode.OPTIMIZE);
                open.countDown();
                while (running) {
                    byte[] frame = handle.getNextRawPacket();
                    if (frame != null) {
                        latest.set(frame);
                        first.complete(frame);
                    }
                }
            } catch (Exception e) {
                first.completeExceptionally(e);
            } finally {
                open.countDown();
            }
        }

        /** The first tunnel frame caught. */
        java.util.concurrent.CompletableFuture<byte[]> first() {
            return first;
        }

        /** The latest tunnel frame caught, or {@code null}. */
        byte[] latest() {
            return latest.get();
        }

        /** The UDP payload (the tunnel packet) of a caught IPv4 frame. */
        static byte[] payload(byte[] frame) {
            int ihl = (frame[14] & 0x0F) * 4;
            return java.util.Arrays.copyOfRange(frame, 14 + ihl + 8, frame.length);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(2_000);
        }
    }

    /** Records the numbers of the probes the VM receives, in arrival order. */
    static final class ProbeReceiver implements AutoCloseable {
        final List<Integer> received = new CopyOnWriteArrayList<>();
        private final DatagramSocket socket;
        private final Thread thread;
        private volatile boolean running = true;

        ProbeReceiver(Lab lab) {
            try (Netns ns = lab.netns("vm1")) {
                socket = ns.call(() -> {
                    DatagramSocket s = new DatagramSocket(new InetSocketAddress(PROBE_PORT));
                    s.setReceiveBufferSize(4 * 1024 * 1024);
                    s.setSoTimeout(100);
                    return s;
                });
            }
            thread = new Thread(this::run, "probe-receiver");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            byte[] buf = new byte[2048];
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            while (running) {
                try {
                    socket.receive(packet);
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, packet.getLength());
                    if (packet.getLength() >= 8 && b.getInt() == MAGIC) {
                        received.add(b.getInt());
                    }
                } catch (SocketTimeoutException e) {
                    // look at running again
                } catch (Exception e) {
                    return;
                }
            }
        }

        /** Waits until {@code count} probes arrived or {@code millis} passed. */
        int await(int count, long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (received.size() < count && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            return received.size();
        }

        @Override
        public void close() {
            running = false;
            socket.close();
        }
    }

    /** Sends numbered probes from the client to the VM. */
    static final class ProbeSender implements AutoCloseable {
        private final DatagramSocket socket;
        private final InetSocketAddress target;

        ProbeSender(Lab lab) throws SocketException {
            this(lab, lab.port("vm1").ipv4Address());
        }

        /** Probes to {@code address} (the VM's, or an old one the tunnel rewrites). */
        ProbeSender(Lab lab, String address) throws SocketException {
            try (Netns ns = lab.netns("client")) {
                socket = ns.call(() -> new DatagramSocket());
            }
            try {
                target = new InetSocketAddress(InetAddress.getByName(address), PROBE_PORT);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        void send(int number) throws java.io.IOException {
            byte[] payload = ByteBuffer.allocate(32).putInt(MAGIC).putInt(number).array();
            socket.send(new DatagramPacket(payload, payload.length, target));
        }

        /** Sends probes {@code from..to-1} at {@code perSecond}, paced against the clock. */
        void sendPaced(int from, int to, int perSecond) throws java.io.IOException {
            long start = System.nanoTime();
            long interval = 1_000_000_000L / perSecond;
            for (int i = from; i < to; i++) {
                long due = start + (i - from) * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                send(i);
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
