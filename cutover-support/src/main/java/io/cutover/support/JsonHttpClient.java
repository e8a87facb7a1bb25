package io.cutover.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JSON over HTTP to one API: requests carry a JSON body (any value Jackson writes) and an optional bearer token,
 * answers come back as {@link JsonAnswer}s whatever their status. A call that gets no answer fails with
 * {@link HttpUnreachableException}; {@link JsonAnswer#requireStatus} turns an unwanted status into
 * {@link HttpErrorStatusException}.
 *
 * <p>Calls block on {@link HttpURLConnection}, so a socket is opened on the thread that makes the call: with
 * {@link Builder#threads} every call runs on those threads (such as {@link Netns#threadFactory}'s, to call from
 * inside a network namespace whichever thread asks); without, {@link #send} runs on the calling thread and
 * {@link #sendAsync} on the client's own daemon threads. Each call opens its own connection
 * ({@code Connection: close}): the JDK's keep-alive cache is shared by the whole process and knows nothing of
 * namespaces, so a socket kept open in one namespace could otherwise carry a call meant for another.
 */
public final class JsonHttpClient implements AutoCloseable {
    /** How long connecting may take, unless {@link Builder#connectTimeout} says otherwise. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How much longer than connecting and answering a call may take on the client's own threads before it is given up. */
    private static final Duration THREAD_SLACK = Duration.ofSeconds(5);
    /** How long an answer may take once connected, unless {@link Builder#timeout} or the call says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String MEDIA_TYPE = "application/json";

    private final URI base;
    private final String bearerToken;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final boolean ownThreads;
    private final ExecutorService threads;
    private final javax.net.ssl.SSLSocketFactory tls;

    private JsonHttpClient(Builder builder) {
        this.base = builder.base;
        this.bearerToken = builder.bearerToken;
        this.connectTimeout = builder.connectTimeout;
        this.timeout = builder.timeout;
        this.ownThreads = builder.threads != null;
        this.tls = builder.tls == null ? null : builder.tls.clientContext().getSocketFactory();
        this.threads = Executors.newCachedThreadPool(ownThreads ? builder.threads : daemonThreads());
    }

    /**
     * A client of the API at {@code base}, such as {@code http://127.0.0.1:8181/v1}: a call's relative path is
     * resolved under it ({@code moves/1}), an absolute one from the server's root ({@code /v1/health}).
     */
    public static Builder builder(URI base) {
        return new Builder(base);
    }

    /** The API's root, ending with a slash. */
    public URI base() {
        return base;
    }

    /** {@link #send(String, String, Object, Duration)} with the client's timeout. */
    public JsonAnswer send(String method, String path, Object body) {
        return send(method, path, body, timeout);
    }

    /**
     * Sends {@code method path} with {@code body} written as JSON ({@code null} for none) and waits at most
     * {@code timeout} for the answer once connected.
     *
     * @throws HttpUnreachableException when no answer came: refused, timed out, the connection broke, interrupted
     */
    public JsonAnswer send(String method, String path, Object body, Duration timeout) {
        Call call = call(method, path, body, timeout);
        if (!ownThreads) {
            return exchange(call);
        }
        Future<JsonAnswer> answer = threads.submit(() -> exchange(call));
        // bounded even though the exchange bounds itself: a thread that never ran it (one that could not enter its
        // network namespace, gone with its lab, dies before its task) would otherwise be waited for forever
        Duration limit = connectTimeout.plus(timeout).plus(THREAD_SLACK);
        try {
            return answer.get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            answer.cancel(true);
            throw new HttpUnreachableException(call.name(), new java.util.concurrent.TimeoutException("no answer within "
                    + limit.toMillis() + " ms: the client's thread did not run the call (its network namespace gone?)"));
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new HttpUnreachableException(call.name(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) e.getCause();
        }
    }

    /**
     * {@link #send(String, String, Object)} on the client's threads; the future fails with
     * {@link HttpUnreachableException} when no answer came.
     */
    public CompletableFuture<JsonAnswer> sendAsync(String method, String path, Object body) {
        Call call = call(method, path, body, timeout);
        return CompletableFuture.supplyAsync(() -> exchange(call), threads);
    }

    /** Stops the client's threads; calls under way get no answer. */
    @Override
    public void close() {
        threads.shutdownNow();
    }

    private Call call(String method, String path, Object body, Duration timeout) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(timeout, "timeout");
        URI uri = base.resolve(path);
        byte[] payload = body != null ? write(body)
                : method.equals("POST") || method.equals("PUT") ? new byte[0] : null;
        return new Call(method + " " + uri, method, uri, payload, timeout);
    }

    private static byte[] write(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + body.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "json-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
    }

    /** Runs {@code call} on this thread: its socket is opened here. */
    private JsonAnswer exchange(Call call) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) call.uri().toURL().openConnection(Proxy.NO_PROXY);
            if (tls != null && connection instanceof javax.net.ssl.HttpsURLConnection https) {
                https.setSSLSocketFactory(tls);
            }
            connection.setRequestMethod(call.method());
            connection.setConnectTimeout(millis(connectTimeout));
            connection.setReadTimeout(millis(call.timeout()));
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestProperty("Connection", "close");
            connection.setRequestProperty("Accept", MEDIA_TYPE);
            if (bearerToken != null) {
                connection.setRequestProperty("Authorization", "Bearer " + bearerToken);
            }
            if (call.payload() != null) {
                connection.setRequestProperty("Content-Type", MEDIA_TYPE);
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(call.payload().length);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(call.payload());
                }
            }
            int status = connection.getResponseCode();
            if (status < 0) {
                throw new IOException("not an HTTP answer");
            }
            return new JsonAnswer(call.name(), status,
                    read(status >= 400 ? connection.getErrorStream() : connection.getInputStream()));
        } catch (IOException e) {
            throw new HttpUnreachableException(call.name(), e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static String read(InputStream body) throws IOException {
        if (body == null) {
            return "";
        }
        try (body) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * One request, ready to go.
     *
     * @param name    {@code METHOD URI}, as errors name the call
     * @param payload the JSON body, or {@code null} for none
     */
    private record Call(String name, String method, URI uri, byte[] payload, Duration timeout) {
    }

    /** The options of a {@link JsonHttpClient}, each with its default. */
    public static final class Builder {
        private final URI base;
        private String bearerToken;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration timeout = DEFAULT_TIMEOUT;
        private ThreadFactory threads;
        private TlsFiles tls;

        private Builder(URI base) {
            Objects.requireNonNull(base, "base");
            if (!("http".equals(base.getScheme()) || "https".equals(base.getScheme())) || base.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL: " + base);
            }
            String text = base.toString();
            this.base = text.endsWith("/") ? base : URI.create(text + "/");
        }

        /** The token sent as {@code Authorization: Bearer TOKEN} with every call; {@code null} (the default) for none. */
        public Builder bearerToken(String token) {
            this.bearerToken = token;
            return this;
        }

        /** How long connecting may take (default {@link #DEFAULT_CONNECT_TIMEOUT}). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive("connectTimeout", connectTimeout);
            return this;
        }

        /** How long an answer may take once connected (default {@link #DEFAULT_TIMEOUT}). */
        public Builder timeout(Duration timeout) {
            this.timeout = positive("timeout", timeout);
            return this;
        }

        /**
         * The threads every call runs on, and so where its socket is opened (default: the calling thread for
         * {@link JsonHttpClient#send}, the client's own daemon threads for {@link JsonHttpClient#sendAsync}).
         */
        public Builder threads(ThreadFactory threads) {
            this.threads = Objects.requireNonNull(threads, "threads");
            return this;
        }

        /**
         * For an {@code https} API: the CA its certificate must chain to and the certificate to present if it asks
         * for one (default: the JDK's CAs, no certificate). Its host name is checked against the certificate either way.
         */
        public Builder tls(TlsFiles tls) {
            this.tls = tls;
            return this;
        }

        public JsonHttpClient build() {
            return new JsonHttpClient(this);
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }
    }
}
