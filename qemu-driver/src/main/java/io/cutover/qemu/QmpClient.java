package io.cutover.qemu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One QMP connection to a QEMU, over its Unix socket: line-delimited JSON, commands matched to their replies by id,
 * events handed to subscribers. QEMU serves one client per QMP socket at a time; a second one gets no greeting.
 *
 * <p>Events are delivered on the connection's reader thread, in the order QEMU sent them: a subscriber must not
 * wait there for a command's reply (the reply comes through the same thread), so it hands work to its own thread.
 * A line that is not JSON is counted ({@link #garbage()}) and logged once, never fatal.
 */
public final class QmpClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QmpClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The longest line accepted from QEMU; a longer one ends the connection. */
    private static final int MAX_LINE = 16 << 20;

    private final Path socket;
    private final SocketChannel channel;
    private final Duration timeout;
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final List<Consumer<QmpEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong garbage = new AtomicLong();
    private final Object writing = new Object();
    private final Thread reader;
    private volatile QmpConnectionException ended;

    private record Pending(String command, CompletableFuture<JsonNode> reply) {
    }

    private QmpClient(Path socket, SocketChannel channel, Duration timeout) {
        this.socket = socket;
        this.channel = channel;
        this.timeout = timeout;
        this.reader = new Thread(this::read, "qmp-" + socket.getFileName());
        this.reader.setDaemon(true);
    }

    /**
     * Connects to the QMP socket {@code socket}, reads QEMU's greeting and leaves capabilities negotiation mode.
     *
     * @param timeout how long the greeting and each command's reply may take
     * @throws QmpConnectionException the socket cannot be reached
     * @throws QmpTimeoutException    no greeting in time (another client may hold the socket)
     */
    public static QmpClient connect(Path socket, Duration timeout) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new QmpConnectionException("cannot open a Unix socket: " + e.getMessage(), e);
        }
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new QmpConnectionException("cannot connect to QMP at " + socket + ": " + e.getMessage(), e);
        }
        QmpClient client = new QmpClient(socket, channel, timeout);
        client.reader.start();
        try {
            client.await(client.greeting, "QEMU's greeting (is another client connected to " + socket + "?)");
            client.execute("qmp_capabilities");
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return client;
    }

    /** The socket this client is connected to. */
    public Path socket() {
        return socket;
    }

    /** Runs {@code command} without arguments; returns its {@code return} value. */
    public JsonNode execute(String command) {
        return execute(command, null);
    }

    /**
     * Runs {@code command} with {@code arguments} (or none) and waits for its reply.
     *
     * @return QEMU's {@code return} value
     * @throws QmpCommandException    QEMU answered with an error
     * @throws QmpTimeoutException    no reply in time
     * @throws QmpConnectionException the connection ended
     */
    public JsonNode execute(String command, ObjectNode arguments) {
        return await(executeAsync(command, arguments), "the reply to " + command);
    }

    /** Sends {@code command}; the future completes with its {@code return} value or fails as {@link #execute} throws. */
    public CompletableFuture<JsonNode> executeAsync(String command, ObjectNode arguments) {
        String id = "c" + ids.incrementAndGet();
        ObjectNode message = JsonNodeFactory.instance.objectNode().put("execute", command).put("id", id);
        if (arguments != null) {
            message.set("arguments", arguments);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, new Pending(command, reply));
        QmpConnectionException gone = ended;
        if (gone != null) {
            pending.remove(id);
            return CompletableFuture.failedFuture(gone);
        }
        try {
            byte[] line = (JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (writing) {
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            pending.remove(id);
            return CompletableFuture.failedFuture(new QmpConnectionException("cannot send " + command + " to "
                    + socket + ": " + e.getMessage(), e));
        }
        return reply;
    }

    /**
     * Hands every event from now on to {@code subscriber}, on the reader thread; closing the returned handle stops
     * that.
     */
    public AutoCloseable onEvent(Consumer<QmpEvent> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    /** Lines from QEMU that were not JSON objects, so far. */
    public long garbage() {
        return garbage.get();
    }

    /** Whether the connection still stands. */
    public boolean isOpen() {
        return ended == null;
    }

    @Override
    public void close() {
        end(new QmpConnectionException("the QMP connection to " + socket + " was closed"));
        closeQuietly(channel);
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new QmpTimeoutException("no " + what + " from " + socket + " within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpConnectionException("interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof QmpException qmp) {
                throw qmp;
            }
            throw new QmpException(what + " failed: " + e.getCause(), e.getCause());
        }
    }

    private void read() {
        ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        dispatch(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else if (line.size() < MAX_LINE) {
                        line.write(b);
                    } else {
                        throw new IOException("a line from QEMU longer than " + MAX_LINE + " bytes");
                    }
                }
                buffer.clear();
            }
            end(new QmpConnectionException("QEMU closed the QMP connection at " + socket));
        } catch (IOException e) {
            end(new QmpConnectionException("the QMP connection to " + socket + " broke: " + e.getMessage(), e));
        }
    }

    private void dispatch(String text) {
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            message = null;
        }
        if (message == null || !message.isObject()) {
            if (garbage.incrementAndGet() == 1) {
                LOG.warn("QMP {}: a line that is not a JSON object, ignored (further ones counted only): {}", socket,
                        text.length() > 200 ? text.substring(0, 200) + "..." : text);
            }
            return;
        }
        if (message.has("QMP")) {
            greeting.complete(message);
        } else if (message.has("event")) {
            QmpEvent event = new QmpEvent(message.path("event").asText(), message.has("data") ? message.get("data")
                    : JsonNodeFactory.instance.objectNode(), sentNanos(message, System.nanoTime(), Instant.now()));
            for (Consumer<QmpEvent> subscriber : subscribers) {
                try {
                    subscriber.accept(event);
                } catch (RuntimeException e) {
                    LOG.warn("QMP {}: a subscriber failed on {}: {}", socket, event.name(), e.toString(), e);
                }
            }
        } else {
            Pending waiting = pending.remove(message.path("id").asText(""));
            if (waiting == null) {
                garbage.incrementAndGet();
                LOG.debug("QMP {}: a reply nobody waits for: {}", socket, text);
            } else if (message.has("error")) {
                JsonNode error = message.get("error");
                waiting.reply().completeExceptionally(new QmpCommandException(waiting.command(),
                        error.path("class").asText("?"), error.path("desc").asText("")));
            } else {
                waiting.reply().complete(message.path("return"));
            }
        }
    }

    private void end(QmpConnectionException cause) {
        if (ended == null) {
            ended = cause;
        }
        greeting.completeExceptionally(cause);
        for (String id : List.copyOf(pending.keySet())) {
            Pending waiting = pending.remove(id);
            if (waiting != null) {
                waiting.reply().completeExceptionally(cause);
            }
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing a QMP socket: {}", e.getMessage());
        }
    }

    /**
     * When QEMU sent {@code message}, on {@link System#nanoTime()}'s scale: its {@code timestamp} (QEMU's wall clock,
     * this host's) mapped through this host's wall clock, so that a timeline places the event when it happened, not
     * when the client got to it; the read time {@code readNanos} where there is no timestamp, or it lies ahead of
     * {@code readAt} or more than a second before it (a clock step).
     */
    static long sentNanos(JsonNode message, long readNanos, Instant readAt) {
        JsonNode stamp = message.path("timestamp");
        if (!stamp.path("seconds").canConvertToLong() || !stamp.path("microseconds").canConvertToLong()) {
            return readNanos;
        }
        Instant sent = Instant.ofEpochSecond(stamp.path("seconds").asLong(), stamp.path("microseconds").asLong() * 1_000);
        long ageNanos = Duration.between(sent, readAt).toNanos();
        return ageNanos < 0 || ageNanos > 1_000_000_000L ? readNanos : readNanos - ageNanos;
    }
}
