package io.cutover.it.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What a hostile peer does to a daemon's port, and what the tests read off the daemon afterwards: raw bytes over TCP,
 * HTTP requests written by hand, senders that trickle a byte at a time, connect-and-close scans, UDP datagrams; the
 * daemon's footprint ({@code /proc/PID}) and its log. Every call is bounded in time.
 */
final class HostilePeer {
    /** How long any read waits for an answer. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

    private HostilePeer() {
    }

    /** Connects, writes {@code bytes}, and reads until the daemon closes or {@link #ANSWER_WITHIN} passes. */
    static byte[] exchange(InetSocketAddress to, byte[] bytes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(to, 2000);
            socket.setSoTimeout((int) ANSWER_WITHIN.toMillis());
            OutputStream out = socket.getOutputStream();
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException closedWhileWriting) {
                // the daemon refused before it took it all: what it answered is still worth reading
            }
            return readUntilClosed(socket.getInputStream());
        }
    }

    /** {@link #exchange} of {@code request} (ISO-8859-1), the answer as text. */
    static String http(InetSocketAddress to, String request) throws IOException {
        return new String(exchange(to, request.getBytes(StandardCharsets.ISO_8859_1)), StandardCharsets.ISO_8859_1);
    }

    /** An HTTP/1.1 request written by hand, with {@code Connection: close}; {@code headers} are whole lines. */
    /** A request with a JSON body to loopback ({@code Host} and {@code Content-Type} set), and {@code headers}. */
    static String json(String method, String path, String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Host: 127.0.0.1";
        all[1] = "Content-Type: application/json";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return request(method, path, body, all);
    }

    /** The body of a GET of {@code path} with {@code token}, which must be answered 200. */
    static String authorizedGet(InetSocketAddress to, String path, String token) throws IOException {
        String answer = http(to, request("GET", path, null, "Host: 127.0.0.1", "Authorization: Bearer " + token));
        org.assertj.core.api.Assertions.assertThat(status(answer)).as(answer).isEqualTo(200);
        return body(answer);
    }

    static String request(String method, String path, String body, String... headers) {
        StringBuilder text = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        for (String header : headers) {
            text.append(header).append("\r\n");
        }
        text.append("Connection: close\r\n");
        if (body != null) {
            text.append("Content-Length: ").append(body.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n");
        }
        return text.append("\r\n").append(body == null ? "" : body).toString();
    }

    /** The status code of an HTTP answer, or -1 when there was none (the connection was closed without one). */
    static int status(String answer) {
        if (!answer.startsWith("HTTP/1.")) {
            return -1;
        }
        return Integer.parseInt(answer.substring(9, 12));
    }

    /** The body of an HTTP answer (after the blank line). */
    static String body(String answer) {
        int blank = answer.indexOf("\r\n\r\n");
        return blank < 0 ? "" : answer.substring(blank + 4);
    }

    /**
     * Opens {@code connections} connections and sends {@code bytes} over each a byte at a time, one byte per connection
     * every {@code interval}, each byte in a segment of its own, for at most {@code duration}; then closes them.
     * Returns how many the daemon had closed by then.
     */
    static int trickle(InetSocketAddress to, int connections, byte[] bytes, Duration interval, Duration duration)
            throws IOException, InterruptedException {
        List<Socket> sockets = new ArrayList<>();
        int closedByDaemon = 0;
        try {
            for (int i = 0; i < connections; i++) {
                Socket socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(to, 2000);
                sockets.add(socket);
            }
            long end = System.nanoTime() + duration.toNanos();
            boolean[] closed = new boolean[connections];
            for (int at = 0; at < bytes.length && System.nanoTime() < end; at++) {
                for (int i = 0; i < connections; i++) {
                    if (closed[i]) {
                        continue;
                    }
                    try {
                        sockets.get(i).getOutputStream().write(bytes[at]);
                        sockets.get(i).getOutputStream().flush();
                    } catch (IOException e) {
                        closed[i] = true;
                        closedByDaemon++;
                    }
                }
                Thread.sleep(interval.toMillis());
            }
            return closedByDaemon;
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** Connects and closes at once, {@code times} times, as a port scanner does; returns how many connected. */
    static int scan(InetSocketAddress to, int times) throws IOException {
        int connected = 0;
        for (int i = 0; i < times; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(to, 2000);
                connected++;
            }
        }
        return connected;
    }

    /** {@code length} random bytes of a fixed seed (a failing run can be repeated). */
    static byte[] garbage(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Sends each datagram from {@code from} to {@code to}. */
    static void datagrams(DatagramSocket from, InetSocketAddress to, List<byte[]> datagrams) throws IOException {
        for (byte[] datagram : datagrams) {
            from.send(new DatagramPacket(datagram, datagram.length, to));
        }
    }

    private static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0 && answer.size() < (1 << 20); ) {
                answer.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException | java.net.SocketException stillOpenOrReset) {
            // what arrived is the answer
        }
        return answer.toByteArray();
    }

    /** How many of {@code log}'s lines contain every one of {@code parts}. */
    static long logLines(Path log, String... parts) throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(line -> java.util.Arrays.stream(parts).allMatch(line::contains)).count();
    }

    /**
     * A process's resident memory and open files, as {@code /proc/PID} tells them.
     *
     * @param rssKib {@code VmRSS} in KiB
     * @param fds    entries of {@code /proc/PID/fd}
     */
    record Footprint(long rssKib, int fds) {
        static Footprint of(long pid) throws IOException {
            long rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).findFirst()
                    .orElseThrow(() -> new IOException("no VmRSS for process " + pid));
            try (var entries = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                return new Footprint(rss, (int) entries.count());
            }
        }

        /**
         * Waits up to {@code settle} for the footprint of {@code pid} to come back within {@code rssMib} MiB and
         * {@code fds} open files of this one; returns the last footprint read (the caller asserts on it).
         */
        Footprint awaitWithin(long pid, long rssMib, int moreFds, Duration settle) throws IOException, InterruptedException {
            long end = System.nanoTime() + settle.toNanos();
            Footprint now = of(pid);
            while (!within(now, rssMib, moreFds) && System.nanoTime() < end) {
                Thread.sleep(200);
                now = of(pid);
            }
            return now;
        }

        boolean within(Footprint after, long rssMib, int moreFds) {
            return after.rssKib - rssKib < rssMib * 1024 && after.fds - fds <= moreFds;
        }

        @Override
        public String toString() {
            return rssKib / 1024 + " MiB resident, " + fds + " open files";
        }
    }
}
