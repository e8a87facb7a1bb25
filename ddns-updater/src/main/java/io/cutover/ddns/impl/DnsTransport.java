package io.cutover.ddns.impl;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * DNS over UDP with many exchanges in flight on one socket (matched by message id and server), and a TCP
 * retry when an answer comes back truncated. Its socket and every thread it uses are made when it is
 * opened, on the opening thread: inside a network namespace, they all live there.
 * <p>
 * An answer completes its exchange on the reader thread. Timeouts cost no timer task per exchange: one sweep,
 * scheduled for the earliest deadline in flight, fails the exchanges whose deadline has passed and schedules
 * itself again for the next one.
 */
public final class DnsTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsTransport.class);
    private static final int MAX_UDP = 65535;
    /**
     * The socket's receive buffer asked for (the kernel caps it at {@code net.core.rmem_max}): room for the answers
     * to a burst of queries (verifying 32 messages of 25 changes asks 832 at once), which the default (~200 KiB, a
     * few hundred datagrams) drops, each drop then costing a timeout and a retry.
     */
    static final int RECEIVE_BUFFER = 4 << 20;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final DatagramChannel udp;
    private final Thread reader;
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor tcp;
    private final Map<Integer, Exchange> inFlight = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private volatile boolean closed;

    /** A response and the bytes it came in (TSIG verification needs them). */
    public record Response(Message message, byte[] wire, boolean overTcp) {
    }

    private record Exchange(int id, InetSocketAddress server, byte[] request, Duration timeout, long deadline,
                            CompletableFuture<Response> result) {
    }

    /** When the next sweep runs ({@link System#nanoTime()}), or {@link Long#MAX_VALUE} when none is scheduled. */
    private final AtomicLong nextSweep = new AtomicLong(Long.MAX_VALUE);

    private DnsTransport() throws IOException {
        int n = INSTANCES.incrementAndGet();
        udp = DatagramChannel.open();
        udp.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
        udp.bind(new InetSocketAddress(0));
        timer = new ScheduledThreadPoolExecutor(1, daemon("dns-timer-" + n));
        timer.prestartAllCoreThreads();
        tcp = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("dns-tcp-" + n));
        tcp.prestartAllCoreThreads();
        reader = new Thread(this::readLoop, "dns-udp-reader-" + n);
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens the socket and starts the threads, on (and in the namespace of) the calling thread. */
    public static DnsTransport open() {
        try {
            return new DnsTransport();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a UDP socket: " + e.getMessage(), e);
        }
    }

    /**
     * Sends one request to {@code server} and completes with its response, or with a {@link TimeoutException}
     * after {@code timeout}. {@code encoder} turns a free message id into the request's wire bytes (signing it).
     */
    public CompletableFuture<Response> exchange(InetSocketAddress server, IntFunction<byte[]> encoder, Duration timeout) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new ClosedChannelException());
            return result;
        }
        int id;
        Exchange exchange;
        do {
            id = random.nextInt(0x10000);
        } while (inFlight.containsKey(id));
        byte[] request;
        try {
            request = encoder.apply(id);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        exchange = new Exchange(id, server, request, timeout, System.nanoTime() + timeout.toNanos(), result);
        if (inFlight.putIfAbsent(id, exchange) != null) {
            return exchange(server, encoder, timeout);
        }
        sweepBy(exchange.deadline);
        try {
            udp.send(ByteBuffer.wrap(request), server);
        } catch (IOException e) {
            inFlight.remove(id, exchange);
            result.completeExceptionally(e);
        }
        return result;
    }

    /** Makes sure a sweep runs by {@code deadline}. */
    private void sweepBy(long deadline) {
        long scheduled;
        do {
            scheduled = nextSweep.get();
            if (scheduled - deadline <= 0) {
                return;
            }
        } while (!nextSweep.compareAndSet(scheduled, deadline));
        try {
            timer.schedule(this::sweep, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("no timeout sweep: the transport is closed");
        }
    }

    /**
     * Schedules the sweep for the earliest deadline left, then fails the exchanges whose deadline has passed (their
     * callbacks run here, after the next sweep is sure).
     */
    private void sweep() {
        nextSweep.set(Long.MAX_VALUE);
        long now = System.nanoTime();
        long earliest = 0;
        boolean left = false;
        List<Exchange> late = new ArrayList<>();
        for (Exchange exchange : inFlight.values()) {
            if (exchange.deadline - now <= 0) {
                if (inFlight.remove(exchange.id, exchange)) {
                    late.add(exchange);
                }
            } else if (!left || exchange.deadline - earliest < 0) {
                earliest = exchange.deadline;
                left = true;
            }
        }
        if (left) {
            sweepBy(earliest);
        }
        late.forEach(exchange -> exchange.result.completeExceptionally(new TimeoutException("no answer from "
                + hostPort(exchange.server) + " within " + exchange.timeout.toMillis() + " ms")));
    }

    /** Sends one request over TCP (a new connection) and completes with its response. */
    public CompletableFuture<Response> exchangeTcp(InetSocketAddress server, byte[] request, Duration timeout) {
        return CompletableFuture.supplyAsync(() -> tcpExchange(server, request, timeout), tcp);
    }

    /** Runs {@code task} after {@code delay} on the transport's timer thread. */
    public void schedule(Runnable task, Duration delay) {
        timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_UDP);
        while (!closed) {
            SocketAddress from;
            try {
                buffer.clear();
                from = udp.receive(buffer);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("DNS UDP socket failed: {}", e.toString());
                }
                return;
            }
            buffer.flip();
            byte[] wire = new byte[buffer.remaining()];
            buffer.get(wire);
            if (wire.length < 12) {
                LOG.debug("dropped a {}-byte datagram from {}: shorter than a DNS header", wire.length, from);
                continue;
            }
            int id = ((wire[0] & 0xff) << 8) | (wire[1] & 0xff);
            Exchange exchange = inFlight.get(id);
            if (exchange == null || !exchange.server.equals(from)) {
                LOG.debug("dropped an unexpected answer id {} from {}", id, from);
                continue;
            }
            Message message;
            try {
                message = new Message(wire);
            } catch (IOException e) {
                LOG.debug("dropped a malformed answer id {} from {}: {}", id, from, e.getMessage());
                continue;
            }
            if (!message.getHeader().getFlag(Flags.QR)) {
                continue;
            }
            if (!inFlight.remove(id, exchange)) {
                continue;
            }
            if (message.getHeader().getFlag(Flags.TC)) {
                exchangeTcp(exchange.server, exchange.request, exchange.timeout).whenComplete((r, e) -> {
                    if (e != null) {
                        exchange.result.completeExceptionally(e);
                    } else {
                        exchange.result.complete(r);
                    }
                });
            } else {
                exchange.result.complete(new Response(message, wire, false));
            }
        }
    }

    private static Response tcpExchange(InetSocketAddress server, byte[] request, Duration timeout) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(server, millis);
            socket.setSoTimeout(millis);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(request.length);
            out.write(request);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readUnsignedShort();
            byte[] wire = in.readNBytes(length);
            if (wire.length != length) {
                throw new IOException("TCP answer from " + hostPort(server) + " cut short: " + wire.length + " of "
                        + length + " bytes");
            }
            return new Response(new Message(wire), wire, true);
        } catch (java.net.SocketTimeoutException e) {
            throw new java.util.concurrent.CompletionException(
                    new TimeoutException("no TCP answer from " + hostPort(server) + " within " + millis + " ms"));
        } catch (IOException e) {
            throw new UncheckedIOException("TCP exchange with " + hostPort(server) + " failed: " + e.getMessage(), e);
        }
    }

    static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + "#" + address.getPort();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        closed = true;
        try {
            udp.close();
        } catch (IOException e) {
            LOG.debug("closing the DNS socket: {}", e.toString());
        }
        timer.shutdownNow();
        tcp.shutdownNow();
        inFlight.values().forEach(x -> x.result.completeExceptionally(new ClosedChannelException()));
        inFlight.clear();
    }
}
