package io.cutover.support;

import com.sun.jna.Native;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs Java code inside a network namespace. A Linux network namespace belongs to a thread, so a
 * thread that has entered one opens its sockets (and Pcap4J handles) there, and those sockets stay there
 * whichever thread uses them later. Each {@code Netns} owns one such thread; {@link #threadFactory()}
 * makes more, for event loops.
 */
public final class Netns implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY = 0;

    private final String name;
    private final ExecutorService thread;

    private Netns(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(threadFactory(name));
    }

    /** A handle on the namespace {@code name} (as {@code ip netns} lists it). */
    public static Netns of(String name) {
        Objects.requireNonNull(name, "name");
        return new Netns(name);
    }

    public String name() {
        return name;
    }

    /** Calls {@code task} on a thread inside the namespace and returns its result. */
    public <T> T call(Callable<T> task) {
        Future<T> result = thread.submit(task);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException("interrupted while running in namespace " + name, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new HostException("task in namespace " + name + " failed: " + cause, cause);
        }
    }

    /** Runs {@code task} on a thread inside the namespace. */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** A factory of daemon threads that enter the namespace before running anything. */
    public static ThreadFactory threadFactory(String namespace) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(() -> {
                enter(namespace);
                runnable.run();
            }, "netns-" + namespace + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** This namespace's {@link #threadFactory(String)}. */
    public ThreadFactory threadFactory() {
        return threadFactory(name);
    }

    /** Moves the calling thread into the namespace {@code namespace}. */
    public static void enter(String namespace) {
        String path = "/run/netns/" + namespace;
        int fd = LibC.INSTANCE.open(path, O_RDONLY);
        if (fd < 0) {
            throw new HostException("cannot open " + path + ": errno " + Native.getLastError());
        }
        try {
            if (LibC.INSTANCE.setns(fd, CLONE_NEWNET) != 0) {
                throw new HostException("setns into " + namespace + " failed: errno " + Native.getLastError());
            }
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
