package io.cutover.agent.libvirt;

import io.cutover.agent.config.LibvirtConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * This host's libvirt domains, through libvirt's own client, {@code virsh}: {@code virsh event --loop --event
 * lifecycle --timestamp} runs as a supervised child process whose lines become {@link LibvirtEvent}s for the
 * subscribers of their domain, and {@code virsh domstate} answers {@link #domainState}.
 *
 * <p>Why virsh and not a Java binding: the Maven repository this project builds from (offline) holds no libvirt
 * binding (no {@code org.libvirt} artifact), and libvirt's Java binding, over JNA, would load libvirt's native
 * library into the agent and need an event loop implementation registered before the connection is opened and run
 * on a thread of its own (a fault in the native code would take the agent down). virsh is libvirt's own client,
 * installed with libvirtd, needs no native binding, runs that event loop itself, and reconnects by being
 * restarted; the agent reads its lines.
 *
 * <p>The child is restarted, with a backoff, whenever it exits (libvirtd restarted, the connection dropped); each
 * exit is logged on one line. The events libvirt sent while no child ran are lost, so once a restarted child had
 * {@link #RESYNC_DELAY} to register, each followed domain's state ({@code virsh domstate --reason}) is read and the
 * event it implies handed on ({@link LibvirtEvent#fromState}): a migration paused, ended or failed meanwhile still
 * moves its cutover on. Subscribers may get such an event twice (it was not missed after all), and take the
 * second as nothing new. Its standard error goes to this log. virsh writes through stdio, which a
 * pipe makes block-buffered: it runs under {@code stdbuf -oL} where coreutils' {@code stdbuf} is installed, so
 * that each event arrives when virsh prints it. Subscribers are called on the one thread that reads the events, in
 * order: they must hand anything slow to another thread.
 */
public final class LibvirtEvents implements LibvirtDomains, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtEvents.class);
    /** The first wait before a child that exited is started again; it doubles up to {@link #MAX_BACKOFF}. */
    public static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** A child that ran this long before it exited is restarted after {@link #MIN_BACKOFF} again. */
    public static final Duration STEADY = Duration.ofSeconds(30);
    /** How long {@code virsh domstate} may take. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Path STDBUF = Path.of("/usr/bin/stdbuf");
    /** How long a restarted {@code virsh event} has to register before the domains' states are read. */
    public static final Duration RESYNC_DELAY = Duration.ofMillis(300);

    private final String virsh;
    private final String uri;
    private final Duration minBackoff;
    private final Map<String, List<Consumer<LibvirtEvent>>> subscribers = new ConcurrentHashMap<>();
    private final Thread supervisor;
    private volatile boolean closed;
    private volatile Process child;
    private volatile int starts;

    private LibvirtEvents(String virsh, String uri, Duration minBackoff) {
        this.virsh = virsh;
        this.uri = uri;
        this.minBackoff = minBackoff;
        this.supervisor = new Thread(this::supervise, "libvirt-events");
        this.supervisor.setDaemon(true);
    }

    /** Starts following the events of the libvirtd {@code config} names. */
    public static LibvirtEvents start(LibvirtConfig config) {
        return start(config, MIN_BACKOFF);
    }

    /** As {@link #start(LibvirtConfig)}, a child that exited restarted after {@code minBackoff} at first. */
    public static LibvirtEvents start(LibvirtConfig config, Duration minBackoff) {
        LibvirtEvents events = new LibvirtEvents(config.virsh(), config.uri(), minBackoff);
        events.supervisor.start();
        return events;
    }

    @Override
    public Subscription follow(String domain, Consumer<LibvirtEvent> subscriber) {
        subscribers.computeIfAbsent(domain, name -> new CopyOnWriteArrayList<>()).add(subscriber);
        return () -> subscribers.computeIfPresent(domain, (name, list) -> {
            list.remove(subscriber);
            return list.isEmpty() ? null : list;
        });
    }

    @Override
    public String domainState(String domain) {
        return domstate(domain, false);
    }

    /** {@code virsh domstate [--reason] DOMAIN}'s first line; empty for an unknown domain. */
    private String domstate(String domain, boolean reason) {
        List<String> command = new ArrayList<>(List.of(virsh, "-c", uri, "domstate"));
        if (reason) {
            command.add("--reason");
        }
        command.add(domain);
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new LibvirtException("cannot run " + virsh + ": " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
            // both outputs are a line or two: read after the exit, which cannot block on a full pipe
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new LibvirtException("virsh -c " + uri + " domstate " + domain + " did not answer within "
                        + COMMAND_TIMEOUT.toSeconds() + " s");
            }
            String out = read(process.getInputStream());
            String err = read(process.getErrorStream());
            if (process.exitValue() == 0) {
                return out.lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst().orElse("");
            }
            if (err.contains("failed to get domain") || err.contains("Domain not found")) {
                return "";
            }
            throw new LibvirtException("virsh -c " + uri + " domstate " + domain + " failed (exit "
                    + process.exitValue() + "): " + err.strip());
        } catch (IOException e) {
            throw new LibvirtException("cannot read virsh's answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new LibvirtException("interrupted while asking virsh for the state of " + domain, e);
        }
    }

    /** How many times the event child was started. */
    public int starts() {
        return starts;
    }

    /** Stops the child and its supervisor; no event is handed on afterwards. */
    @Override
    public void close() {
        closed = true;
        Process running = child;
        if (running != null) {
            running.destroy();
        }
        supervisor.interrupt();
        try {
            supervisor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = child;
        if (running != null && running.isAlive()) {
            running.destroyForcibly();
        }
        subscribers.clear();
    }

    private void supervise() {
        Duration backoff = minBackoff;
        while (!closed) {
            long started = System.nanoTime();
            String ended;
            try {
                ended = runChild();
            } catch (IOException e) {
                ended = "could not start: " + e.getMessage();
            }
            if (closed) {
                return;
            }
            if (System.nanoTime() - started > STEADY.toNanos()) {
                backoff = minBackoff;
            }
            LOG.warn("virsh event for {} {}; restarting it in {} ms", uri, ended, backoff.toMillis());
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Runs one child until its output ends; says how it ended. */
    private String runChild() throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(STDBUF)) {
            command.addAll(List.of(STDBUF.toString(), "-oL"));
        }
        command.addAll(List.of(virsh, "-c", uri, "event", "--loop", "--event", "lifecycle", "--timestamp"));
        Process process = new ProcessBuilder(command).start();
        child = process;
        starts++;
        if (starts > 1) {
            Thread resync = new Thread(this::resync, "libvirt-events-resync");
            resync.setDaemon(true);
            resync.start();
        }
        process.getOutputStream().close();
        Thread errors = new Thread(() -> drain(process.getErrorStream()), "libvirt-events-stderr");
        errors.setDaemon(true);
        errors.start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                long read = System.nanoTime();
                String text = line;
                LibvirtEvent.parse(text, read).ifPresentOrElse(this::handOn, () -> {
                    if (!text.isBlank()) {
                        LOG.debug("virsh event: ignored '{}'", text);
                    }
                });
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("virsh event's output: {}", e.getMessage());
            }
        }
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "closed its output";
            }
            return "exited with " + process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return "was stopped";
        }
    }

    /** After a restart, what the followed domains' states say they missed (see the class comment). */
    private void resync() {
        try {
            Thread.sleep(RESYNC_DELAY.toMillis());
        } catch (InterruptedException e) {
            return;
        }
        for (String domain : List.copyOf(subscribers.keySet())) {
            if (closed) {
                return;
            }
            try {
                String state = domstate(domain, true);
                LibvirtEvent.fromState(domain, state, System.nanoTime()).ifPresent(event -> {
                    LOG.info("libvirt: {} is {} after virsh event restarted: handing on {}", domain, state,
                            event.words());
                    handOn(event);
                });
            } catch (LibvirtException e) {
                LOG.warn("libvirt: cannot read {}'s state after virsh event restarted: {}", domain, e.getMessage());
            }
        }
    }

    /** Hands {@code event} to its domain's subscribers; one event at a time, from either thread that reads them. */
    private synchronized void handOn(LibvirtEvent event) {
        LOG.debug("libvirt: {} {}", event.domain(), event.words());
        for (Consumer<LibvirtEvent> subscriber : subscribers.getOrDefault(event.domain(), List.of())) {
            try {
                subscriber.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("a subscriber of {}'s libvirt events failed on {}: {}", event.domain(), event.words(),
                        e.toString());
            }
        }
    }

    private static void drain(InputStream errors) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(errors, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    LOG.warn("virsh event: {}", line);
                }
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
