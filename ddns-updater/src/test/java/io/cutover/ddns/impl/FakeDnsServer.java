package io.cutover.ddns.impl;

import org.xbill.DNS.Message;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A tiny DNS server on loopback for unit tests: UDP and TCP on the same port, each request answered by a
 * handler (request, over TCP?) that returns wire bytes, or {@code null} to stay silent.
 */
final class FakeDnsServer implements AutoCloseable {
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final BiFunction<Message, Boolean, byte[]> handler;
    final AtomicInteger udpRequests = new AtomicInteger();
    final AtomicInteger tcpRequests = new AtomicInteger();

    FakeDnsServer(BiFunction<Message, Boolean, byte[]> handler) throws IOException {
        this.handler = handler;
        DatagramSocket d = null;
        ServerSocket s = null;
        for (int i = 0; i < 20 && s == null; i++) {
            d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                s = new ServerSocket(d.getLocalPort(), 10, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                d.close();
            }
        }
        if (s == null) {
            throw new IOException("no port free for both UDP and TCP");
        }
        // room for a thousand queries in flight while this thread is not scheduled (a busy machine)
        d.setReceiveBufferSize(4 << 20);
        udp = d;
        tcp = s;
        Thread u = new Thread(this::serveUdp, "fake-dns-udp");
        u.setDaemon(true);
        u.start();
        Thread t = new Thread(this::serveTcp, "fake-dns-tcp");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                udpRequests.incrementAndGet();
                byte[] copy = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
                byte[] answer = handler.apply(new Message(copy), false);
                if (answer != null) {
                    udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket socket = tcp.accept()) {
                tcpRequests.incrementAndGet();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] request = in.readNBytes(in.readUnsignedShort());
                byte[] answer = handler.apply(new Message(request), true);
                if (answer != null) {
                    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    out.writeShort(answer.length);
                    out.write(answer);
                    out.flush();
                }
            } catch (IOException e) {
                if (tcp.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
